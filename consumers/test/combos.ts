// The consumer matrix: every Node a user runs x CommonJS / ESM x the two install orders.

/** `api-first`: `npm i @opentelemetry/api`, then the tarballs (an app that already uses OTel); `api-after`: the reverse. */
export type InstallOrder = 'api-first' | 'api-after';
export type ModuleKind = 'cjs' | 'esm';

/** One fresh app: which Node installs and runs it, its module kind, and the install order. */
export interface Combo {
  node: number;
  module: ModuleKind;
  order: InstallOrder;
}

/** The Node majors the consumer apps run on: the oldest supported (2.x line) and CI's second Node (3.x line). */
export const NODES = [20, 24] as const;

export const COMBOS: Combo[] = NODES.flatMap((node) =>
  (['cjs', 'esm'] as const).flatMap((module) => (['api-first', 'api-after'] as const).map((order) => ({ node, module, order }))),
);

/** A short name such as `node20-cjs-api-first` (folder prefixes, service names, test names). */
export const comboId = (c: Combo): string => `node${c.node}-${c.module}-${c.order}`;

/**
 * The apps that also run the README's line for more instrumentations (`npm install
 * @opentelemetry/auto-instrumentations-node`) and an Express app under it: one per Node, the 2.x
 * line on Node 20 and the 3.x line on Node 24, added to an app already installed (an install is
 * the slow part).
 */
export const AUTO_INSTRUMENTATIONS_COMBOS: readonly string[] = ['node20-esm-api-after', 'node24-esm-api-first'];
