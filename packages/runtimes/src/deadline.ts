/** The stop budgets are computed in core, once (`@forkhooks/core/manager`): re-exported for old imports inside runtimes. */
export { describeBudget, KILL_WAIT_MS, STOP_MARGIN_MS, stopBudgetMs } from '@forkhooks/core/manager';
