import { makeDecorator } from './make-decorator';

/** Runs once on graceful stop or after a fatal error, in reverse postfork order (Gunicorn `worker_exit`). */
export const atexit = makeDecorator('atexit');
