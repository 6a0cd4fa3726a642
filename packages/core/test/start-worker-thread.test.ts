import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readEvents, tempDir } from '../../../test-utils/processes';
import { sleep } from '../../../test-utils/time';

describe('startWorker in a real worker thread', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('detects worker_threads and runs atexit on a stop message, then ends the thread with 0', async () => {
    const file = join(dir.path, 'events.jsonl');
    const worker = new Worker(join(__dirname, 'fixtures', 'thread.js'), { env: { ...process.env, EVENTS_FILE: file, FORKHOOKS_LOG: 'silent' } });
    const { threadId } = worker; // -1 once the thread has ended
    const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
    const deadline = Date.now() + 10_000;
    while (!readEvents(file).some((e) => e.event === 'main') && Date.now() < deadline) await sleep(20);
    worker.postMessage({ forkhooks: 'stop' });
    expect(await exited).toBe(0);
    const events = readEvents(file);
    expect(events.map((e) => e.event)).toEqual(['postfork', 'main', 'atexit']);
    expect(events[0]).toMatchObject({ runtime: 'worker_threads', threadId, primaryPid: process.pid, pid: process.pid });
    expect(events[2]).toMatchObject({ reason: 'message' });
  });
});
