// The only public door of @forkhooks/runtimes: explicit named exports, `export type` for types.

export { runCluster } from './cluster';
export type { ClusterOptions, PrimaryContext } from './cluster-options';
export type { ClusterEvents, ClusterHandle, RecycleInfo, ReloadInfo, ReplaceReason, RespawnInfo, ScaleInfo, SlotState, WatchdogKillInfo } from './types/cluster-handle';
export type { ManagerOptions } from './manager-options';
export { DEFAULT_HEARTBEAT_TIMEOUT_MS } from './manager-options';
export { DEFAULT_RESTART } from './restart-policy';
export type { RestartOptions, RestartPolicy } from './restart-policy';

export { spawnChild } from './child-process';
export type { ChildHandle, SpawnChildOptions } from './types/child-handle';

export { spawnThread } from './worker-threads';
export type { SpawnThreadOptions, ThreadExit, ThreadHandle } from './types/thread-handle';

export type { ProcessExit, StartFailure, WorkerExit, WorkerInfo } from './types/worker-info';

export { RuntimeErrorCodes } from './errors/codes';
export type { RuntimeErrorCode } from './errors/codes';
export { ClusterStoppingError } from './errors/cluster-stopping.error';
export { CrashLoopError } from './errors/crash-loop.error';
export { WorkerExitedError } from './errors/worker-exited.error';
export { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
