// Diagnostics never hurt the app: describing any thrown value never throws, a failing log sink is
// dropped (not retried), and URLs lose their user info and query string.
import { HookError, HookRegistry, configureLogger, createShutdown, describeError, log, redactUrl } from '../src';
import { fatalMessage } from '../src/shutdown';
import { testContext } from './helpers';

/** Values a hook can throw that cannot be described the usual way. */
function hostileValues(): Array<[string, unknown]> {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const circular = Object.create(null) as Record<string, unknown>;
  circular.self = circular;
  const throwing = {
    get message(): string {
      throw new Error('message getter boom');
    },
    toString(): string {
      throw new Error('toString boom');
    },
    toJSON(): string {
      throw new Error('toJSON boom');
    },
  };
  const errorWithThrowingMessage = new Error('x');
  // stack first: V8 builds the stack string (reading message) when it is redefined.
  Object.defineProperty(errorWithThrowingMessage, 'stack', { get: () => { throw new Error('stack getter'); } });
  Object.defineProperty(errorWithThrowingMessage, 'message', { get: () => { throw new Error('getter'); } });
  return [
    ['a revoked Proxy', revocable.proxy],
    ['a null-prototype circular object', circular],
    ['an object whose message, toString and toJSON throw', throwing],
    ['an Error whose message and stack getters throw', errorWithThrowingMessage],
    ['a Symbol', Symbol('sym')],
    ['a BigInt', 12n],
    ['an object holding a BigInt', { n: 1n }],
  ];
}

describe('describeError (core describe)', () => {
  it.each(hostileValues())('never throws and returns a non-empty line for %s', (_what, value) => {
    const text = describeError(value);
    expect(typeof text).toBe('string');
    expect(text.length).toBeGreaterThan(0);
  });

  it('still says what an ordinary value is', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ code: 1 })).toBe('{"code":1}');
    expect(describeError(Symbol('sym'))).toBe('Symbol(sym)');
    expect(describeError(12n)).toBe('12n');
  });

  it('is bounded in length', () => {
    const text = describeError(new Error('x'.repeat(100_000)));
    expect(text.length).toBeLessThan(2_100);
    expect(text).toMatch(/more characters\)$/);
  });

  it.each(hostileValues())('fatalMessage never throws for %s, and names the failure', (_what, value) => {
    expect(fatalMessage(value, 'uncaught exception')).toMatch(/^worker failed \(uncaught exception\): ./);
  });
});

describe('hooks that throw values that cannot be described', () => {
  it.each(hostileValues())('fail by name in postfork, and the phase stops there, for %s', async (_what, value) => {
    const registry = new HookRegistry();
    registry.add('postfork', () => {
      throw value;
    }, { name: 'openPool' });
    const failure = await registry.run('postfork', testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HookError);
    expect((failure as HookError).message).toMatch(/^postfork hook "openPool" failed: ./);
  });

  it.each(hostileValues())('fail by name in atexit, and later hooks still run, for %s', async (_what, value) => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    registry.add('atexit', () => void ran.push('flush'), { name: 'flush' }); // registered first: runs last (LIFO)
    registry.add('atexit', () => Promise.reject(value), { name: 'closeDb' });
    const report = await registry.run('atexit', testContext());
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['closeDb', 'failed'],
      ['flush', 'ok'],
    ]);
    expect(ran).toEqual(['flush']);
  });

  it('a returned thenable whose `then` getter throws fails that hook by name, and later hooks run', async () => {
    const registry = new HookRegistry();
    const ran: string[] = [];
    registry.add('atexit', () => void ran.push('flush'), { name: 'flush' });
    registry.add('atexit', () => ({
      get then(): never {
        throw new Error('then getter boom');
      },
    }), { name: 'badThenable' });
    const report = await registry.run('atexit', testContext());
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['badThenable', 'failed'],
      ['flush', 'ok'],
    ]);
    expect(report.results[0].error?.message).toBe('atexit hook "badThenable" failed: then getter boom');
    expect(ran).toEqual(['flush']);
  });
});

describe('the logger', () => {
  afterEach(() => configureLogger({ sink: () => undefined, level: 'info' }));

  it('drops messages to a sink that threw once, and never calls it again', () => {
    let calls = 0;
    configureLogger({
      level: 'info',
      sink: () => {
        calls++;
        throw new Error('EPIPE');
      },
    });
    expect(() => log.error('first')).not.toThrow();
    expect(() => log.error('second')).not.toThrow();
    expect(calls).toBe(1);
  });

  it('uses a new sink again after a broken one', () => {
    configureLogger({ sink: () => { throw new Error('gone'); } });
    log.info('dropped');
    const seen: string[] = [];
    configureLogger({ sink: (_level, message) => void seen.push(message) });
    log.info('kept');
    expect(seen).toEqual(['kept']);
  });
});

describe('redactUrl', () => {
  it('removes user info and the query string, keeping scheme, host, port and path', () => {
    expect(redactUrl('http://user:s3cr3tPW@127.0.0.1:4318/v1/traces?api_key=SECRET')).toBe('http://***@127.0.0.1:4318/v1/traces?***');
    expect(redactUrl('https://collector.example:4318/v1/traces')).toBe('https://collector.example:4318/v1/traces');
  });

  it('finds URLs inside a longer message, several of them, and quoted ones', () => {
    const text = 'span export to http://u:p@h:1/v1/traces?k=SECRET failed; "ftp://a:SECRET@b/x" and https://h/ok';
    expect(redactUrl(text)).toBe('span export to http://***@h:1/v1/traces?*** failed; "ftp://***@b/x" and https://h/ok');
  });

  it('removes user info from a value with no scheme, and a password holding an @', () => {
    expect(redactUrl('"user:SECRET@127.0.0.1:99" is not a URL')).toBe('"***@127.0.0.1:99" is not a URL');
    expect(redactUrl('http://user:SEC@RET@host:1/')).toBe('http://***@host:1/');
  });
});

describe('a shutdown already under way', () => {
  afterEach(() => configureLogger({ sink: () => undefined, level: 'info' }));

  it('says "already stopping; ignoring …" once per kind of request, not once per event', async () => {
    const said: string[] = [];
    configureLogger({ level: 'info', sink: (_level, message) => void said.push(message) });
    const exits: number[] = [];
    const shutdown = createShutdown({ registry: new HookRegistry(), context: testContext(), timeoutMs: 1_000, exit: (code) => void exits.push(code) });
    const first = shutdown.stop('signal', undefined, 'SIGTERM');
    for (let i = 0; i < 1_000; i++) void shutdown.stop('error', new Error('write EPIPE'), 'uncaught exception');
    // SIGHUP, not SIGINT: a repeated Ctrl-C is the interrupt guard's (a 3rd press forces the exit).
    for (let i = 0; i < 3; i++) void shutdown.stop('signal', undefined, 'SIGHUP');
    await first;
    expect(said.filter((m) => m.startsWith('already stopping'))).toEqual(['already stopping; ignoring uncaught exception', 'already stopping; ignoring SIGHUP']);
    expect(exits).toEqual([0]);
  });
});
