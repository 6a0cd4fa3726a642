import { resolveFault } from './options';
import type { FaultOptions } from './types/fault';

/** The fault in force, and how many more requests it applies to. */
export class FaultState {
  private fault: FaultOptions | undefined;
  private remaining = Infinity;

  constructor(initial: FaultOptions | undefined) {
    this.set(initial);
  }

  /** Replaces the fault (validated); `undefined` clears it. */
  set(fault: FaultOptions | undefined): void {
    this.fault = resolveFault(fault);
    this.remaining = this.fault?.times ?? Infinity;
  }

  /** The fault in force, if any (a copy). */
  current(): FaultOptions | undefined {
    return this.fault === undefined ? undefined : { ...this.fault, times: this.remaining === Infinity ? undefined : this.remaining };
  }

  /** The fault for the request being answered now; counts it against `times`. */
  take(): FaultOptions | undefined {
    const fault = this.fault;
    if (fault === undefined) return undefined;
    this.remaining -= 1;
    if (this.remaining <= 0) this.fault = undefined;
    return fault;
  }
}
