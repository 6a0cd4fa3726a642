// A private PostgreSQL cluster per test file: initdb in a temp folder, pg_ctl start on a free port
// of 127.0.0.1 (socket in the same folder), stopped by pg_ctl (and by its pid if that fails).
// Debian's server binaries are used (/usr/lib/postgresql/<version>/bin); scripts/ensure-postgres.sh
// installs them. initdb refuses to run as root, so as root everything runs as the postgres user.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReceivedSpan } from '@forkhooks/receiver';
import { Client } from 'pg';
import { freePort } from './http';
import { isAlive, waitGone } from './processes';

const run = promisify(execFile);

/** A running private cluster. */
export interface Postgres {
  host: '127.0.0.1';
  port: number;
  user: string;
  database: string;
  /** postgres://user@127.0.0.1:port/database */
  url: string;
  /** The postmaster's pid. */
  pid: number;
  /** Runs one query on a fresh connection (closed after), and returns its rows. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the server (pg_ctl stop -m fast; SIGKILL by pid if that fails) and removes its folder. */
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb; a clear error when there is none. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run scripts/ensure-postgres.sh (as root)');
  return join(root, versions[0], 'bin');
}

const SERVER_USER = 'postgres';
const asRoot = process.getuid?.() === 0;

/** Runs a server binary, as the postgres user when we are root. */
async function runBinary(bin: string, args: string[]): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', SERVER_USER, '--', bin, ...args]] : [bin, args];
  try {
    await run(file, argv, { timeout: 60_000 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Starts a private cluster (user and database `forkhooks`, trust auth on 127.0.0.1 only). */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'forkhooks-pg-'));
  const data = join(dir, 'data');
  const user = 'forkhooks';
  if (asRoot) {
    const { stdout } = await run('id', ['-u', SERVER_USER]);
    const { stdout: gid } = await run('id', ['-g', SERVER_USER]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await runBinary(join(bin, 'initdb'), ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  await runBinary(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const url = `postgres://${user}@127.0.0.1:${port}/postgres`;

  const query = async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  };
  await query(`CREATE DATABASE ${user}`);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      try {
        await runBinary(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      } catch {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
      await waitGone([pid], 10_000);
      rmSync(dir, { recursive: true, force: true });
    })());
  return { host: '127.0.0.1', port, user, database: user, url: `postgres://${user}@127.0.0.1:${port}/${user}`, pid, query, stop };
}

/** A query span of @opentelemetry/instrumentation-pg (not its pool's connect spans). */
export function isPgQuery(span: ReceivedSpan): boolean {
  return span.scopeName === '@opentelemetry/instrumentation-pg' && span.name.startsWith('pg.query');
}
