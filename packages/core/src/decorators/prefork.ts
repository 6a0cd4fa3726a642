import { makeDecorator } from './make-decorator';

/** Runs in the primary (manager) before each worker is spawned, respawns included. */
export const prefork = makeDecorator('prefork');
