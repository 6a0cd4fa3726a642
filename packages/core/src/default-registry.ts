import { REGISTRY_KEY } from './metadata-keys';
import { HookRegistry } from './registry';

const holder = globalThis as typeof globalThis & { [REGISTRY_KEY]?: HookRegistry };

/**
 * The process-wide registry the decorators use. It lives on `globalThis` under
 * `Symbol.for('forkhooks.registry')`, so two copies of forkhooks in one process share it.
 */
export const registry: HookRegistry = (holder[REGISTRY_KEY] ??= new HookRegistry());
