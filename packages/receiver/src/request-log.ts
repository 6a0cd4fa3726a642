import type { RequestRecord } from './types/receiver-stats';

/** A fresh record of a request whose headers just arrived, before its outcome is known. */
export function newRecord(method: string, url: string, headers: RequestRecord['headers']): RequestRecord {
  return { receivedAt: Date.now(), method, url, headers, status: 0, bodyBytes: 0, spans: 0, error: undefined };
}

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
