// The consumer matrix as a markdown table: Node x OTel line x CJS/ESM x install order -> spans
// received / expected, `npm ls --all` exit code, api versions.
import type { Combo } from './combos';

/** One row: the combo and what it measured (or why it could not). */
export interface MatrixRow {
  combo: Combo;
  nodeVersion: string;
  line?: string;
  /** User spans that arrived as children of a server span / requests sent. */
  spans?: { received: number; expected: number };
  /** All http server spans and all user spans received, children or not (where a break shows). */
  serverSpans?: number;
  userSpans?: number;
  /** Workers that sent such a child / workers. */
  workers?: { received: number; expected: number };
  npmLs?: number | null;
  /** Every installed api copy's version, and the one the app's entry resolved. */
  apiCopies?: string[];
  appApi?: string;
  peerOverrides?: number;
  /** How the tree was built: the plain install, or the README's named line after ERESOLVE. */
  installedWith?: string;
  /** The README's auto-instrumentations line (where run): its exit, `npm ls --all` after it, the version, the Express server span names. */
  autoInstrumentations?: string;
  error?: string;
}

const cell = (v: string | number | null | undefined): string => (v === undefined ? '–' : String(v));

/** The table, one row per combo, in the order given. */
export function formatMatrix(rows: MatrixRow[], when: Date): string {
  const lines = [
    `# Consumer matrix (${when.toISOString()})`,
    '',
    'Fresh apps outside the repo, installed from `npm pack` tarballs; a 2-worker runCluster with `@forkhooks/otel-init/register`;',
    "spans = the user's manual spans (through the app's own `@opentelemetry/api`) received as children of an http server span.",
    '',
    '| Node | OTel line | module | install order | spans received / expected | server spans | user spans | workers | `npm ls --all` exit | api copies | app api | ERESOLVE overrides | installed with | auto-instrumentations line | error |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const frac = (f?: { received: number; expected: number }): string => (f ? `${f.received} / ${f.expected}` : '–');
    lines.push(
      `| ${r.nodeVersion} | ${cell(r.line)} | ${r.combo.module.toUpperCase()} | ${r.combo.order} | ${frac(r.spans)} | ${cell(r.serverSpans)} | ${cell(r.userSpans)} | ${frac(r.workers)} | ${cell(r.npmLs)} | ${r.apiCopies?.join(', ') ?? '–'} | ${cell(r.appApi)} | ${cell(r.peerOverrides)} | ${cell(r.installedWith)} | ${cell(r.autoInstrumentations)} | ${r.error ? r.error.split('\n')[0]?.slice(0, 120) : ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
