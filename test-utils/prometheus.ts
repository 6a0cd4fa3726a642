// The Prometheus text format, parsed by a real parser from npm (parse-prometheus-text-format), for tests.
import { httpGet } from './http';

/** One metric family as parse-prometheus-text-format returns it. */
export interface PromFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const parse = require('parse-prometheus-text-format') as (text: string) => PromFamily[];

/** Parses a text-format body. */
export function parsePrometheus(text: string): PromFamily[] {
  return parse(text);
}

/** GETs `url` and parses it; the raw text too (for the comment lines). */
export async function scrape(url: string, timeoutMs = 15_000): Promise<{ families: PromFamily[]; text: string; status: number }> {
  const reply = await httpGet(url, timeoutMs);
  return { families: reply.status === 200 ? parse(reply.body) : [], text: reply.body, status: reply.status };
}

/** The sum of a counter's or gauge's values over every label set (0 when absent). */
export function total(families: PromFamily[], name: string): number {
  return (families.find((f) => f.name === name)?.metrics ?? []).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}
