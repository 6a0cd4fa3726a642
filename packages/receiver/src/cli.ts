#!/usr/bin/env node
// The `forkhooks-receiver` command: the receiver in a terminal. Its output is the point, so it writes
// to stdout and stderr directly.
import { CliUsageError, parseCliArgs, USAGE, type CliArgs } from './cli-args';
import { startReceiver } from './receiver';
import { formatInstances } from './summary';
import type { Receiver } from './types/receiver';

const REPORT_INTERVAL_MS = 1_000;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function fail(message: string, code: number): never {
  process.stderr.write(`forkhooks-receiver: ${message}\n`);
  process.exit(code);
}

function progressLine(receiver: Receiver): string {
  const stats = receiver.stats();
  const extra = [
    plural(stats.requests, 'request'),
    stats.rejectedRequests ? `${stats.rejectedRequests} rejected` : '',
    stats.spansDropped ? `${stats.spansDropped} not kept (max-spans)` : '',
  ].filter(Boolean);
  return `${formatInstances(stats.spansReceived, receiver.byInstance(), stats.spansUntracked)} (${extra.join(', ')})`;
}

async function main(args: CliArgs): Promise<void> {
  let receiver: Receiver | undefined;
  const progress: { timer?: NodeJS.Timeout } = {};
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress.timer);
    void (receiver?.close() ?? Promise.resolve()).then(() => {
      const stats = receiver?.stats();
      const instances = stats?.instancesTracked ?? 0;
      out(
        `forkhooks-receiver stopped (${signal}): ${plural(stats?.spansReceived ?? 0, 'span')} in ${plural(stats?.acceptedRequests ?? 0, 'request')} ` +
          `from ${plural(instances, 'instance')}${stats?.spansUntracked ? ` (and ${plural(stats.spansUntracked, 'span')} from instances beyond --max-instances)` : ''}`,
      );
      process.exit(0);
    });
  };
  // Listen for signals before printing the URL: whoever reads that line may signal us at once.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    receiver = await startReceiver({
      port: args.port,
      ...(args.grpcPort === undefined ? {} : { grpcPort: args.grpcPort }),
      host: args.host,
      ...(args.maxSpans === undefined ? {} : { maxSpans: args.maxSpans }),
      ...(args.maxInstances === undefined ? {} : { maxInstances: args.maxInstances }),
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), 1);
  }
  if (stopping) return; // a signal came while starting: stop() is already exiting.
  const running = receiver;
  out(`forkhooks-receiver listening on ${running.url} (traces: POST ${running.tracesUrl}; summary: GET ${running.url}/)`);
  out(`forkhooks-receiver OTLP/gRPC on ${running.grpcUrl} (OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=${running.grpcUrl})`);

  let last = progressLine(running);
  progress.timer = setInterval(() => {
    const line = progressLine(running);
    if (line !== last) out(line);
    last = line;
  }, REPORT_INTERVAL_MS);
}

let args: CliArgs;
try {
  args = parseCliArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CliUsageError)) throw error;
  fail(`${error.message}\n${USAGE}`, 2);
}
if (args.help) {
  out(USAGE);
} else {
  void main(args);
}
