/** What the `forkhooks-receiver` command line asks for. */
export interface CliArgs {
  port: number;
  /** undefined: the receiver's default (4317 beside port 4318, a free port otherwise). */
  grpcPort: number | undefined;
  host: string;
  maxSpans: number | undefined;
  maxInstances: number | undefined;
  help: boolean;
}

/** The usage text of `forkhooks-receiver`. */
export const USAGE = `usage: forkhooks-receiver [--port N] [--grpc-port N] [--host H] [--max-spans N] [--max-instances N]

  --port N        TCP port to listen on; 0 picks a free one (default 4318, the OTLP/HTTP port)
  --grpc-port N   TCP port of OTLP/gRPC; 0 picks a free one (default 4317, the OTLP/gRPC port,
                  with the default --port; a free one otherwise)
  --host H        interface to listen on (default 127.0.0.1)
  --max-spans N   spans kept in memory; beyond it they are counted only (default 1000000)
  --max-instances N
                  service.instance.id values counted one by one; spans of later ones are
                  counted in the total only (default 1000)
  -h, --help      show this text

Point an app at it with OTEL_EXPORTER_OTLP_ENDPOINT=<the URL it prints>; for gRPC, also set
OTEL_EXPORTER_OTLP_PROTOCOL=grpc and use the gRPC URL it prints.`;

/** A command line the CLI cannot use; the CLI prints it with the usage and exits 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Parses `--port N`, `--port=N`, `--grpc-port N`, `--host H`, `--max-spans N`, `--max-instances N`, `-h`/`--help`; throws `CliUsageError`. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { port: 4318, grpcPort: undefined, host: '127.0.0.1', maxSpans: undefined, maxInstances: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      args.help = true;
      continue;
    }
    const match = /^(--[a-z-]+)(?:=(.*))?$/.exec(arg);
    const flag = match?.[1];
    if (flag !== '--port' && flag !== '--grpc-port' && flag !== '--host' && flag !== '--max-spans' && flag !== '--max-instances') {
      throw new CliUsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
    let value = match?.[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
      i += 1;
    }
    if (flag === '--host') {
      if (value.trim() === '') throw new CliUsageError('--host needs a non-empty value');
      args.host = value;
    } else if (flag === '--port') {
      args.port = integer(flag, value, 65_535);
    } else if (flag === '--grpc-port') {
      args.grpcPort = integer(flag, value, 65_535);
    } else if (flag === '--max-instances') {
      args.maxInstances = integer(flag, value, Number.MAX_SAFE_INTEGER);
    } else {
      args.maxSpans = integer(flag, value, Number.MAX_SAFE_INTEGER);
    }
  }
  return args;
}

function integer(flag: string, value: string, max: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number > max) {
    throw new CliUsageError(`${flag} takes a whole number from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}
