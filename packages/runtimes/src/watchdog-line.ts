import { relative, sep } from 'node:path';
import type { RescueReport, StuckFrame } from '@forkhooks/core/manager';
import type { WatchdogKillInfo } from './types/cluster-handle';
import type { WorkerInfo } from './types/worker-info';

/** Frames named in the primary's line (the event carries the whole stack). */
const TOP_FRAMES = 3;

/** What the watchdog-kill event says beyond the worker and its silence. */
export type KillFields = Omit<WatchdogKillInfo, keyof WorkerInfo | 'silentMs'>;

/** What the watchdog knew of a worker when it condemned it. */
export interface Condemned {
  head: string;
  /** Spans held at its last heartbeat; undefined without tracing. */
  unsent: number | undefined;
  /** Why no rescue was asked for (FORKHOOKS_STUCK_RESCUE=0 in the worker, …). */
  rescueOff: string | undefined;
}

/** The fields of the watchdog-kill event and the one line, from the rescue's answer (or its absence). */
export function describeKill(condemned: Condemned, answer: RescueReport | { error: string } | undefined): { line: string; event: KillFields } {
  const { head, unsent } = condemned;
  const lostHeld = unsent === undefined ? '' : `; lost the ${unsent} span(s) it held at its last heartbeat`;
  const tail = '; SIGKILLing it, a replacement follows';
  if (answer === undefined) {
    const why = condemned.rescueOff ? ` (no rescue: ${condemned.rescueOff})` : '';
    return { line: `${head}: its event loop is blocked${why}${lostHeld}${tail}`, event: { rescue: 'off', spansRescued: 0, spansLost: unsent } };
  }
  if ('error' in answer) {
    return { line: `${head}: its event loop is blocked; its rescue failed (${answer.error})${lostHeld}${tail}`, event: { rescue: 'failed', spansRescued: 0, spansLost: unsent } };
  }
  const notes = answer.notes.length > 0 ? ` (${answer.notes.join('; ')})` : '';
  if (answer.outcome === 'native') {
    const line = `${head}: its main thread is blocked in native code (a synchronous system call or an addon: it did not pause), so no stack was taken${notes}${lostHeld}${tail}`;
    return { line, event: { rescue: 'native', blockedIn: 'native', spansRescued: 0, spansLost: unsent, rescueMs: answer.tookMs } };
  }
  if (answer.outcome === 'failed') {
    return { line: `${head}: its event loop is blocked; its rescue failed${notes}${lostHeld}${tail}`, event: { rescue: 'failed', spansRescued: 0, spansLost: unsent } };
  }
  const frames = answer.frames.map(frameText);
  const shown = frames.slice(0, TOP_FRAMES).join(' < ') + (frames.length > TOP_FRAMES ? ' < …' : '');
  const hung = answer.spansEnded > 0 ? `, ${answer.spansEnded} of them open in the stuck code, ended with ERROR and this stack` : ', no span was open in the stuck code';
  const inFlight = answer.spansInFlight > 0 ? `, ${answer.spansInFlight} in an export it had begun (they may have arrived)` : '';
  const line = `${head}: its main thread was stuck at ${shown}; rescued ${answer.spansRescued} span(s)${hung}; lost ${answer.spansLost}${inFlight}${notes}${tail}`;
  return {
    line,
    event: { rescue: 'rescued', blockedIn: 'javascript', stack: answer.stacktrace, frames, spansRescued: answer.spansRescued, spansLost: answer.spansLost, spansInFlight: answer.spansInFlight, rescueMs: answer.tookMs },
  };
}

/** `fn (path:line:col)`, the path relative to the working directory when it is under it. */
function frameText(frame: StuckFrame): string {
  let where = frame.url.startsWith('file://') ? decodeURIComponent(frame.url.slice('file://'.length)) : frame.url;
  const near = relative(process.cwd(), where);
  if (where.startsWith(sep) && !near.startsWith('..')) where = near;
  return `${frame.functionName} (${where}:${frame.line}:${frame.column})`;
}
