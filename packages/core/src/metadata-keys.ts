import type { HookOptions } from './types/hook-options';
import type { Phase } from './types/phase';

/** reflect-metadata key under which instance-method hooks are recorded (on a prototype, or on an instance under standard decorators). */
export const INSTANCE_HOOKS_KEY = Symbol.for('forkhooks:instance-hooks');

/** Where the default registry lives, so two copies of the package in one process share it. */
export const REGISTRY_KEY = Symbol.for('forkhooks.registry');

/** One decorated instance method, recorded until `registry.addInstance(obj)` registers it. */
export interface InstanceHookRecord {
  readonly phase: Phase;
  readonly key: string | symbol;
  readonly fn: (this: unknown, ...args: never[]) => unknown;
  readonly options: HookOptions | undefined;
}
