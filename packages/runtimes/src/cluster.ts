import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { shutdown, startWorker } from '@forkhooks/core';
import { ClusterPrimary } from './cluster-primary';
import { resolveClusterOptions, type ClusterOptions } from './cluster-options';
import type { ClusterEvents, ClusterHandle, SlotState } from './types/cluster-handle';

/**
 * node:cluster with forkhooks, one script for primary and workers (like throng). In the primary:
 * `prefork` before every fork, respawn into the slot with backoff, give up on a crash loop, and on
 * SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR2 a graceful stop of every worker, then the primary's own `atexit`;
 * a process manager besides (rolling `reload()`, `scale(n)` and TTIN/TTOU, the heartbeat watchdog,
 * recycling on maxRequests / maxMemoryMb). In a worker:
 * core's `startWorker(options.worker)`, with the slot, generation and deadline the primary passed.
 * Options are validated in both before anything runs (a TypeError naming the option).
 */
export function runCluster(options: ClusterOptions): ClusterHandle {
  const resolved = resolveClusterOptions(options);
  // A worker of another cluster manager (a PM2 cluster-mode instance) is a worker here too: it cannot fork.
  if (cluster.isWorker) return new ClusterWorker(startWorker(resolved.worker, { registry: resolved.registry, shutdownTimeoutMs: resolved.shutdownTimeoutMs, drainTimeoutMs: resolved.drainTimeoutMs }));
  return new ClusterPrimary(resolved).start();
}

const ignore = (): void => undefined;

/** The handle in a worker: ready when this worker is, stop() is core's shutdown(). */
class ClusterWorker extends EventEmitter<ClusterEvents> implements ClusterHandle {
  readonly isPrimary = false;
  readonly ready: Promise<void>;

  constructor(started: Promise<unknown>) {
    super();
    this.ready = started.then(() => undefined);
    // TTIN/TTOU scale the primary; sent to the process group, they must not suspend the workers (their default).
    if (process.platform !== 'win32') for (const signal of ['SIGTTIN', 'SIGTTOU'] as const) process.on(signal, ignore);
  }

  reload(): Promise<void> {
    return Promise.reject(new Error('reload() runs in the primary only (handle.isPrimary); a worker is replaced, it does not reload itself'));
  }

  scale(): Promise<void> {
    return Promise.reject(new Error('scale() runs in the primary only (handle.isPrimary)'));
  }

  async stop(): Promise<void> {
    await shutdown();
  }

  workers(): readonly SlotState[] {
    return [];
  }
}
