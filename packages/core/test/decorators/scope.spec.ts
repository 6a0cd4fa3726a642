import { InvalidHookOptionError, atexit, postfork, registry } from '../../src';
import { testContext } from '../helpers';
import { decoratorMode } from './mode';

const ran: string[] = [];

class Db {
  @atexit static close(): void {
    ran.push('Db.close');
  }

  @atexit({ scope: 'primary' }) static closeAdmin(): void {
    ran.push('Db.closeAdmin');
  }

  @atexit({ scope: 'all' }) report(): void {
    ran.push('instance.report');
  }
}

describe(`scope through the decorators (${decoratorMode()} decorators)`, () => {
  it('passes scope through static and instance atexit methods: a primary runs primary and all hooks', async () => {
    registry.addInstance(new Db());
    expect(registry.hooks('atexit').map((h) => [h.name, h.scope])).toEqual([
      ['Db.report', 'all'],
      ['Db.closeAdmin', 'primary'],
      ['Db.close', 'worker'],
    ]);
    await registry.run('atexit', testContext({ runtime: 'cluster', role: 'primary' }));
    expect(ran).toEqual(['instance.report', 'Db.closeAdmin']);
  });

  it('rejects scope on a @postfork method at class definition', () => {
    expect(() => {
      class Pool {
        @postfork({ scope: 'all' }) static open(): void {}
      }
      return Pool;
    }).toThrow(InvalidHookOptionError);
  });
});
