// forkhooks' diagnostics for the runtimes go through core's logger (level and sink set by
// configureLogger or FORKHOOKS_LOG), never `console`.
export { log } from '@forkhooks/core';
