import type { RequestRecord } from './types/receiver-stats';

/** The last few trace requests, newest last. */
export class RequestLog {
  private records: RequestRecord[] = [];

  constructor(private readonly capacity: number) {}

  /** Adds a record, forgetting the oldest beyond capacity. The record may still be updated in place until answered. */
  add(record: RequestRecord): void {
    if (this.capacity === 0) return;
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.shift();
  }

  /** Copies of the records, oldest first. */
  list(): RequestRecord[] {
    return this.records.map((record) => ({ ...record, headers: { ...record.headers } }));
  }

  /** The headers of the newest request. */
  lastHeaders(): RequestRecord['headers'] | undefined {
    const last = this.records[this.records.length - 1];
    return last === undefined ? undefined : { ...last.headers };
  }

  /** Forgets everything. */
  clear(): void {
    this.records = [];
  }
}
