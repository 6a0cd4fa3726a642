import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { INestApplication } from '@nestjs/common';
import fastify from 'fastify';
import { HookRegistry, closeOnStop, type Closable } from '../src';
import { sleep, testContext } from './helpers';

/** Runs the atexit of a worker registry holding only `target`'s close hook; resolves with its report. */
async function stopWith(target: Closable): Promise<Awaited<ReturnType<HookRegistry['run']>>> {
  const registry = new HookRegistry();
  closeOnStop(target, { registry });
  return registry.run('atexit', testContext({ role: 'worker' }));
}

describe('closeOnStop: what it accepts', () => {
  it('type-checks servers and apps whose close() returns a promise, and nothing else', () => {
    const registry = new HookRegistry();
    const accepted = (x: Closable): void => void closeOnStop(x, { registry });
    accepted(http.createServer());
    accepted(https.createServer());
    accepted(http2.createServer());
    accepted(http2.createSecureServer());
    accepted(net.createServer());
    accepted(fastify());
    accepted({ close: async () => undefined });
    const nest = { close: async () => undefined } as unknown as INestApplication;
    closeOnStop(nest, { registry });
    // @ts-expect-error: no close() at all
    expect(() => closeOnStop({}, { registry })).toThrow(TypeError);
    // @ts-expect-error: a close() that returns nothing and is no server: nothing could wait for it
    closeOnStop({ close() {} }, { registry });
    // @ts-expect-error: a callback close() that is no server
    closeOnStop({ close(cb: () => void) { cb(); } }, { registry });
    // @ts-expect-error: a string
    expect(() => closeOnStop('server', { registry })).toThrow(TypeError);
    expect(registry.hooks('atexit')).toHaveLength(10);
  });

  it('throws a TypeError naming what was passed', () => {
    const expected = 'closeOnStop expects an http/https/http2 server, or an object whose close() returns a promise (Fastify, a NestJS application); got';
    expect(() => closeOnStop(null as never)).toThrow(`${expected} null`);
    expect(() => closeOnStop('server' as never)).toThrow(`${expected} string`);
    expect(() => closeOnStop(new (class Pool {})() as never)).toThrow(`${expected} an object without a close() method (Pool)`);
  });
});

describe('closeOnStop: how it closes', () => {
  it('calls a promise close() with no argument and waits for its promise (a NestJS app took the callback for its signal and hung)', async () => {
    const calls: unknown[][] = [];
    let finished = false;
    const app = {
      close: async (...args: unknown[]) => {
        calls.push(args);
        await sleep(50);
        finished = true;
      },
    };
    const report = await stopWith(app);
    expect(calls).toEqual([[]]);
    expect(finished).toBe(true);
    expect(report.results).toEqual([expect.objectContaining({ name: 'close-server', status: 'ok' })]);
  });

  it("closes a real Fastify app: its onClose hook runs once, before the hook settles", async () => {
    const app = fastify();
    const closed: string[] = [];
    app.addHook('onClose', async () => {
      await sleep(20);
      closed.push('onClose');
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const report = await stopWith(app);
    expect(closed).toEqual(['onClose']);
    expect(report.results[0]!.status).toBe('ok');
    expect(app.server.listening).toBe(false);
  });

  it('closes a real http server through its callback, after the request in flight ends', async () => {
    let release!: () => void;
    const server = http.createServer((_req, res) => void new Promise<void>((r) => (release = r)).then(() => res.end('done')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const body = new Promise<string>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject),
    );
    while (!release) await sleep(5);
    let settled = false;
    const stopping = stopWith(server).then((report) => ((settled = true), report));
    await sleep(50);
    expect(settled).toBe(false);
    release();
    expect(await body).toBe('done');
    expect((await stopping).results[0]!.status).toBe('ok');
  });
});
