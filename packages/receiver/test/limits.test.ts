import { request } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { postJson, rawConnect, send, simpleSpans, sleep, toJson, trickle, useReceiver } from './helpers';

/** gzip of `mib` MiB of zeros, made by streaming one reused 1 MiB buffer: about 1 KiB per MiB. */
async function gzipBomb(mib: number): Promise<Buffer> {
  const zeros = Buffer.alloc(1024 * 1024);
  let left = mib;
  const source = new Readable({
    read() {
      this.push(left-- > 0 ? zeros : null);
    },
  });
  const chunks: Buffer[] = [];
  for await (const chunk of source.pipe(createGzip({ level: 9 }))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('body size limits', () => {
  const LIMIT = 64 * 1024;
  const small = useReceiver({ maxBodyBytes: LIMIT });
  const defaults = useReceiver();

  it('answers 413 at once to a Content-Length over the limit', async () => {
    const client = await rawConnect(small().url);
    client.socket.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`);
    const started = Date.now();
    while (!client.received().includes('\r\n\r\n') && Date.now() - started < 5_000) await sleep(10);
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(client.received()).toMatch(/Content-Length 65537 is larger than maxBodyBytes \(65536 bytes\)/);
    client.socket.destroy();
  });

  it('refuses with Expect: 100-continue before the body is sent, and closes the connection', async () => {
    const client = await rawConnect(small().url);
    client.socket.write(
      `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT * 10}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(client.received()).not.toMatch(/100 Continue/);
  });

  it('answers 413 to a chunked body that grows past the limit, and drains the rest so the client reads it', async () => {
    const body = Buffer.alloc(LIMIT * 3, 'x');
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request(small().tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 3; i++) req.write(body.subarray(i * LIMIT, (i + 1) * LIMIT));
      req.end();
    });
    expect(answer).toBe(413);
    const last = small().recentRequests().at(-1);
    expect(last).toMatchObject({ status: 413, spans: 0 });
    expect(last?.error).toMatch(/larger than maxBodyBytes/);
  });

  it('cuts off a client that keeps sending after its 413', async () => {
    const client = await rawConnect(small().url);
    client.socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 'y'), Buffer.from('\r\n')]);
    let sent = 0;
    const pump = (): void => {
      while (!client.socket.destroyed && sent < 512 * 1024 * 1024) {
        sent += chunk.length;
        if (!client.socket.write(chunk)) return void client.socket.once('drain', pump);
      }
    };
    pump();
    const closedAfterMs = await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(closedAfterMs).toBeLessThan(5_000);
    expect(sent).toBeLessThan(64 * 1024 * 1024); // cut at the cap, not after half a gigabyte
  });

  it('stops a gzip bomb: 100 MiB of zeros in ~100 KiB of gzip is refused with 413 at the 16 MiB default', async () => {
    const bomb = await gzipBomb(100);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const answer = await send(defaults().tracesUrl, {
      body: bomb,
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    });
    expect(answer.status).toBe(413);
    expect(JSON.stringify(answer.body.toString('latin1'))).toMatch(/decompressed body is larger than maxBodyBytes \(16777216 bytes\)/);
    // Same process: the receiver held at most ~16 MiB of the 100 MiB while decompressing.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('still serves after all of that', async () => {
    const spans = await simpleSpans(2, { 'service.instance.id': 'after-limits' });
    expect((await postJson(small().tracesUrl, toJson(spans))).status).toBe(200);
    expect(small().count()).toBe(2);
  });
});

describe('slow clients (slow-loris) are cut off by timeouts while others are served', () => {
  const HEADERS_TIMEOUT = 500;
  const BODY_TIMEOUT = 800;
  const receiver = useReceiver({ headersTimeoutMs: HEADERS_TIMEOUT, bodyTimeoutMs: BODY_TIMEOUT });

  it('closes trickling headers, a trickling body and a silent connection; a normal client gets through meanwhile', async () => {
    const headers = await rawConnect(receiver().url);
    headers.socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\n');
    trickle(headers.socket, 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaa', 50);

    const body = await rawConnect(receiver().url);
    body.socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
    trickle(body.socket, '{', 50);

    const silent = await rawConnect(receiver().url);

    const spans = await simpleSpans(1, { 'service.instance.id': 'patient' });
    const served: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 1_200) {
      const t0 = Date.now();
      expect((await postJson(receiver().tracesUrl, toJson(spans))).status).toBe(200);
      served.push(Date.now() - t0);
      await sleep(100);
    }

    const [headersClosed, bodyClosed, silentClosed] = await Promise.all([headers.closed, body.closed, silent.closed]);
    expect(headersClosed).toBeLessThan(HEADERS_TIMEOUT + 1_000);
    expect(silentClosed).toBeLessThan(HEADERS_TIMEOUT + 1_000);
    expect(bodyClosed).toBeGreaterThanOrEqual(BODY_TIMEOUT - 50);
    expect(bodyClosed).toBeLessThan(BODY_TIMEOUT + 1_000);
    expect(headers.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.received()).toMatch(/request body was not received within 800 ms/);
    expect(served.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...served)).toBeLessThan(500);
    expect(receiver().count()).toBe(served.length);
  });
});

describe('maxSpans', () => {
  const receiver = useReceiver({ maxSpans: 5 });

  it('counts spans past the limit but keeps only maxSpans, and says so in stats', async () => {
    const spans = await simpleSpans(3, { 'service.instance.id': 'many' });
    await postJson(receiver().tracesUrl, toJson(spans));
    await postJson(receiver().tracesUrl, toJson(spans));
    expect(receiver().count()).toBe(6);
    expect(receiver().spans()).toHaveLength(5);
    expect(receiver().stats()).toMatchObject({ spansReceived: 6, spansStored: 5, spansDropped: 1, maxSpans: 5, acceptedRequests: 2 });
    expect(receiver().byInstance()[0]?.spans).toBe(6);
  });
});
