import { availableParallelism } from 'node:os';
import { onceEach } from '@forkhooks/core/manager';
import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { log } from './log';
import { checkInteger } from './validate';

/**
 * The most workers one runCluster primary runs (`workers`, `scale(n)`, TTIN). The largest servers
 * sold today have 512 hardware threads (2 × 256-core sockets); 1,024 is twice that. Each worker is
 * a whole Node process (64 workers of a traced app took 4.4 GB in all, issue 22: about 70 MB each),
 * so 1,024 of them is some 70 GB: a larger count is a slip (`1e9`, a duration in the wrong option),
 * and is refused before the primary allocates anything for it.
 */
export const MAX_WORKERS = 1024;

/**
 * Above this many workers per core the primary warns once. Gunicorn's rule for its blocking
 * workers is 2 × cores + 1; a Node worker is an event loop that keeps its core busy by itself, so
 * past 4 per core (twice Gunicorn's ratio, room for an app that waits on I/O in sync code) more
 * workers add memory and context switches, not throughput.
 */
export const WORKERS_PER_CORE_WARNING = 4;

/** Throws unless `n` (undefined passes) is a whole number of workers from 1 to MAX_WORKERS, naming `option` of `caller`. */
export function checkWorkerCount(caller: string, option: string, n: unknown): void {
  checkInteger(caller, option, n, 1);
  if (typeof n === 'number' && n > MAX_WORKERS) {
    throw new InvalidRuntimeOptionError(
      option,
      caller,
      `expected at most ${MAX_WORKERS} workers, got ${n}: each worker is a whole Node process (about 70 MB), and this machine has ${availableParallelism()} CPU(s); ` +
        `use about one worker per CPU (the default, os.availableParallelism())`,
    );
  }
}

const warned = onceEach<number>();

/** Says once per count, when `n` workers are far more than this machine's CPUs, what that costs. */
export function warnIfOversubscribed(n: number, what: string, cores = availableParallelism()): void {
  if (n <= WORKERS_PER_CORE_WARNING * cores || !warned(n)) return;
  log.warn(
    `${what}: ${n} workers on ${cores} CPU(s) (os.availableParallelism()), more than ${WORKERS_PER_CORE_WARNING} per CPU: ` +
      `each is a whole Node process (about 70 MB) and they share ${cores} CPU(s), so the extra ones add memory, not throughput; ` +
      `about ${cores} (one per CPU, the default) serves as much`,
  );
}
