import { log } from './logger';

/** The exit code of a process ended by SIGINT (128 + 2), as shells report a Ctrl-C. */
export const INTERRUPT_EXIT_CODE = 130;

/** What an interrupt guard needs: where the stop is now, and how to force it. */
export interface InterruptGuardOptions {
  /** Where the stop is, e.g. `atexit running, up to 4200 ms left`. */
  progress(): string;
  /** Cuts the stop short (kills what must die) and says what was cut off, e.g. `the atexit hooks still running`. */
  force(): string;
  /** How the process ends; default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * Ctrl-C presses that arrive while a stop runs (a terminal's SIGINT): the first says how far the stop
 * is and how to force it, the next forces an immediate exit with code 130, saying what was cut off.
 * `handle` returns false for anything but SIGINT, which the caller treats as before.
 */
export function createInterruptGuard(options: InterruptGuardOptions): { handle(detail: string | undefined): boolean } {
  let presses = 0;
  return {
    handle(detail) {
      if (detail !== 'SIGINT') return false;
      presses += 1;
      if (presses === 1) {
        log.warn(`stopping (${options.progress()}); press Ctrl-C again to force exit`);
      } else if (presses === 2) {
        log.warn(`forced exit on Ctrl-C: cut off ${options.force()}; exiting ${INTERRUPT_EXIT_CODE}`);
        (options.exit ?? ((code: number) => process.exit(code)))(INTERRUPT_EXIT_CODE);
      }
      return true;
    },
  };
}
