// Spawning and cleaning up real processes for tests, shared by every package (never copied).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './time';

/** Every pid a test spawned through these helpers, checked gone by `expectAllGone`. */
const spawned = new Set<number>();

/** A running node process with its output captured. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout/stderr line matching `pattern`; rejects after `timeoutMs` or on exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/**
/**
 * Starts `node [nodeArgs] script [args]` with `env` added to this process's environment; `node` is
 * another Node binary to run (default: this one). `detached`: in a process group of its own (pgid =
 * its pid), so a test can signal the whole group as a terminal does (`process.kill(-pid, ...)`).
 */
export function startNode(
  script: string,
  options: { env?: NodeJS.ProcessEnv; args?: string[]; nodeArgs?: string[]; cwd?: string; node?: string; detached?: boolean } = {},
): NodeProcess {
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    env: { ...process.env, FORKHOOKS_LOG: 'info', ...options.env },
    cwd: options.cwd,
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn node ${script}`);
  spawned.add(child.pid);
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    waiters.forEach((w) => w());
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    waiters.forEach((w) => w());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      waiters.forEach((w) => w());
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const line = `${out}\n${err}`.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            resolve(line);
            return true;
          }
          if (done) reject(new Error(`process exited before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
          return done;
        };
        if (check()) return;
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        waiters.push(() => {
          if (check()) clearTimeout(timer);
        });
      });
    },
  };
}

/** Runs `node script` to its end (killing it by pid after `timeoutMs`). */
export async function runNode(
  script: string,
  options: { env?: NodeJS.ProcessEnv; args?: string[]; nodeArgs?: string[]; cwd?: string; node?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; pid: number }> {
  const proc = startNode(script, options);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const { code, signal } = await proc.exited;
  clearTimeout(timer);
  return { code, signal, stdout: proc.stdout(), stderr: proc.stderr(), pid: proc.pid };
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until every pid is gone, up to `timeoutMs`; returns those still alive. */
export async function waitGone(pids: Iterable<number>, timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids].filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/**
 * For afterAll: kills (by pid) anything a test spawned and left running, and returns the pids that
 * had been left, so the suite can fail on them. `extra` adds pids learned from events files.
 */
export async function reapLeftovers(extra: Iterable<number> = []): Promise<number[]> {
  const left = [...spawned, ...extra].filter(isAlive);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitGone(left, 2_000);
  spawned.clear();
  return left;
}

/** A fresh temporary folder, removed by `cleanup()`. */
export function tempDir(prefix = 'forkhooks-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** One event a fixture's hook wrote: `{ event, pid, ... }`. */
export type HookEvent = Record<string, unknown> & { event: string; pid: number };

/** Appends one event as a JSON line (used by fixtures through the built helper in test-utils/events.js). */
export function writeEvent(file: string, event: HookEvent): void {
  appendFileSync(file, `${JSON.stringify(event)}\n`);
}

/** Reads every event a fixture wrote to `file`. */
export function readEvents(file: string): HookEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HookEvent);
}

/** The events named `name`, optionally filtered. */
export function named(events: HookEvent[], name: string, where: (e: HookEvent) => boolean = () => true): HookEvent[] {
  return events.filter((e) => e.event === name && where(e));
}

/**
 * Polls `file` until `done(events)` is true and returns those events; throws after `timeoutMs` with
 * the events seen so far (a test waiting on what hooks wrote, in other processes).
 */
export async function waitForEvents(file: string, done: (events: HookEvent[]) => boolean, timeoutMs = 10_000): Promise<HookEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = readEvents(file);
    if (done(events)) return events;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for events in ${file}; seen:\n${events.map((e) => JSON.stringify(e)).join('\n')}`);
    }
    await sleep(25);
  }
}
