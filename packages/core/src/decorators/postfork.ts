import { makeDecorator } from './make-decorator';

/** Runs in each worker after it is spawned, before its main function (uWSGI `@postfork`, Gunicorn `post_fork`). */
export const postfork = makeDecorator('postfork');
