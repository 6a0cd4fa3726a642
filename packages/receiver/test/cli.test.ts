import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, reapLeftovers, startNode, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { postJson, simpleSpans, toJson, useReceivers } from './helpers';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

function stdoutLines(proc: NodeProcess): string[] {
  return proc.stdout().split('\n').filter((line) => line !== '');
}

describe('the forkhooks-receiver command', () => {
  const startOwn = useReceivers();
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test does; or npx tsc -b packages/receiver)`);
  });

  afterAll(async () => {
    // Anything a test left running is killed by pid, and fails the suite.
    expect(await reapLeftovers()).toEqual([]);
  });

  it('prints its URL, receives spans, reports per instance, and stops on SIGINT with a total', async () => {
    const cli = startNode(CLI, { args: ['--port', '0'] });
    const first = await cli.waitFor(/listening on/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(first)?.[1];
    expect(url).toBeDefined();

    const spans = await simpleSpans(3, { 'service.name': 'shop', 'service.instance.id': 'w0', 'process.pid': 777, 'forkhooks.worker.index': 0 });
    expect((await postJson(`${url}/v1/traces`, toJson(spans))).status).toBe(200);
    expect(await cli.waitFor(/^3 spans/)).toBe('3 spans: shop#0 pid 777=3 (1 request)');

    process.kill(cli.pid, 'SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(stdoutLines(cli).at(-1)).toBe('forkhooks-receiver stopped (SIGINT): 3 spans in 1 request from 1 instance');
    expect(await waitGone([cli.pid])).toEqual([]);
    // Our own error lines only: Node or a dependency may warn on stderr without anything being wrong.
    expect(cli.stderr().split('\n').filter((line) => line.startsWith('forkhooks-receiver:'))).toEqual([]);
  });

  it('stops on SIGTERM too', async () => {
    const cli = startNode(CLI, { args: ['--port=0', '--host', '127.0.0.1'] });
    await cli.waitFor(/listening on/);
    process.kill(cli.pid, 'SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(stdoutLines(cli).at(-1)).toBe('forkhooks-receiver stopped (SIGTERM): 0 spans in 0 requests from 0 instances');
    expect(isAlive(cli.pid)).toBe(false);
  });

  it.each([
    [['--prot', '0'], /unknown argument "--prot"/],
    [['--port', 'abc'], /--port takes a whole number from 0 to 65535, got "abc"/],
    [['--port', '70000'], /--port takes a whole number/],
    [['--port'], /--port needs a value/],
    [['stray'], /unknown argument "stray"/],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const cli = startNode(CLI, { args });
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr()).toMatch(message);
    expect(cli.stderr()).toMatch(/usage: forkhooks-receiver/);
    expect(isAlive(cli.pid)).toBe(false);
  });

  it('exits 1 saying why when the port is taken', async () => {
    const taken = await startOwn();
    const cli = startNode(CLI, { args: ['--port', String(taken.port)] });
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.stderr()).toMatch(/cannot listen on 127\.0\.0\.1:\d+: the port is taken/);
  });

  it('serves OTLP/gRPC on --grpc-port (0: a free one) and prints that URL too', async () => {
    const cli = startNode(CLI, { args: ['--port', '0', '--grpc-port', '0'] });
    const line = await cli.waitFor(/OTLP\/gRPC on/);
    const grpcUrl = /OTLP\/gRPC on (http:\/\/127\.0\.0\.1:\d+) \(OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=\1\)/.exec(line)?.[1];
    expect(grpcUrl).toBeDefined();
    const spans = await simpleSpans(2, { 'service.name': 'shop', 'service.instance.id': 'w0', 'process.pid': 778, 'forkhooks.worker.index': 0 });
    const exporter = new OTLPTraceExporter({ url: grpcUrl });
    expect(await new Promise((resolve) => exporter.export(spans, resolve))).toEqual({ code: 0 });
    await exporter.shutdown();
    expect(await cli.waitFor(/^2 spans/)).toBe('2 spans: shop#0 pid 778=2 (1 request)');
    process.kill(cli.pid, 'SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 1 saying why when the gRPC port is taken', async () => {
    const taken = await startOwn();
    const cli = startNode(CLI, { args: ['--port', '0', '--grpc-port', String(taken.grpcPort)] });
    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.stderr()).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${taken.grpcPort}: the port is taken`));
  });

  it('prints its usage with --help', async () => {
    const cli = startNode(CLI, { args: ['--help'] });
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(stdoutLines(cli)[0]).toMatch(/^usage: forkhooks-receiver \[--port N\]/);
  });
});
