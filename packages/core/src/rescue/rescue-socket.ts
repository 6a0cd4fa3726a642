import { mkdtempSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { log } from '../logger';

/** The user's switch (not a marker a manager sets): 0 turns the stuck-worker rescue off. */
export const STUCK_RESCUE_VAR = 'FORKHOOKS_STUCK_RESCUE';
const DIR_PREFIX = 'forkhooks-rescue-';
const SOCKET_NAME = 's';
const OFF = ['0', 'false', 'off', 'no'];
const ON = ['', '1', 'true', 'on', 'yes'];

/** Where a worker's watchdog thread listens for its rescue, or why it does not. */
export type RescueSetting = { address: string } | { off: string };

/**
 * The rescue's socket for this worker: a Unix socket in a fresh folder made by mkdtemp (mode 0700:
 * only this user can connect; it runs no code it is sent, it only starts the rescue). Off with
 * FORKHOOKS_STUCK_RESCUE=0, and on Windows (no Unix sockets in a folder there).
 */
export function rescueSetting(env: NodeJS.ProcessEnv = process.env): RescueSetting {
  const raw = (env[STUCK_RESCUE_VAR] ?? '').trim().toLowerCase();
  if (OFF.includes(raw)) return { off: `${STUCK_RESCUE_VAR}=${env[STUCK_RESCUE_VAR]}` };
  if (!ON.includes(raw)) log.warn(`${STUCK_RESCUE_VAR}=${JSON.stringify(env[STUCK_RESCUE_VAR])} is not 0 or 1: the stuck-worker rescue stays on; set 0 to turn it off`);
  if (process.platform === 'win32') return { off: 'not on Windows' };
  try {
    return { address: join(mkdtempSync(join(tmpdir(), DIR_PREFIX)), SOCKET_NAME) };
  } catch (error) {
    return { off: `no folder for its socket in ${tmpdir()} (${(error as Error).message})` };
  }
}

/**
 * Removes a rescue socket and its folder, once its worker is gone (the worker at its stop, the
 * primary after a kill). Only a path of the shape rescueSetting makes is touched; never throws.
 */
export function removeRescueSocket(address: string | undefined): void {
  if (!address || basename(address) !== SOCKET_NAME || !basename(dirname(address)).startsWith(DIR_PREFIX)) return;
  try {
    unlinkSync(address);
  } catch {
    // never listened, or removed already
  }
  try {
    rmdirSync(dirname(address));
  } catch {
    // removed already
  }
}
