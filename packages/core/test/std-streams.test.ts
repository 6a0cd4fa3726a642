// stdout/stderr errors in a real worker process: a reader that went away (EPIPE) is no fatal error;
// any other error on those streams stays as fatal as Node makes it, and runs atexit.
import { join } from 'node:path';
import { reapLeftovers, startNode } from '../../../test-utils/processes';

const FIXTURE = join(__dirname, 'fixtures', 'std-stream-error.js');

describe('errors on stdout/stderr in a worker', () => {
  afterAll(async () => expect(await reapLeftovers()).toEqual([]));

  it.each(['EPIPE', 'ERR_STREAM_DESTROYED'])('%s on stdout: the worker keeps serving, says nothing, and stops normally at SIGTERM', async (code) => {
    const worker = startNode(FIXTURE, { env: { STREAM_ERROR: code } });
    await worker.waitFor(/still serving/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.stderr()).not.toMatch(/failed|uncaught/);
  });

  it('another error on stdout (EIO) is still fatal: one line, atexit, exit 1', async () => {
    const worker = startNode(FIXTURE, { env: { STREAM_ERROR: 'EIO' } });
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.stderr()).toMatch(/worker failed \(uncaught exception\): write EIO/);
    expect(worker.stderr()).toMatch(/atexit done: 0\/0 hooks ok; exiting 1/);
    expect(worker.stderr()).not.toMatch(/still serving/);
  });
});
