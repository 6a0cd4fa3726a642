// The rescue's side in the worker's watchdog thread (orphan-watchdog.ts runs it, as source: the thread
// loads no module of the app's). It listens on a Unix socket in a fresh 0700 folder (only this user
// can connect) for its primary's word that the main thread is condemned, and then:
// 1. connects to the main thread's inspector from inside the process (inspector.Session
//    .connectToMainThread: no port, no server, nothing another process can reach) and pauses it
//    with Debugger.pause, which V8 serves at the spinning loop's next interrupt check;
// 2. takes the stack from Debugger.paused and, with Debugger.evaluateOnCallFrame, runs the rescue
//    handlers ON the stuck thread (rescue-registry.ts): they end its open spans (ERROR, the stack)
//    and hand over their encoded batches;
// 3. disconnects (a session left attached would keep the main thread paused), POSTs the batches
//    from here, and answers the primary with one JSON line: the stack and the counts.
// A main thread blocked in native code (a synchronous system call, an addon) never reaches an
// interrupt check: no pause within `pauseMs`, and the answer says so.
// Everything the function needs is inside it: it is sent to the thread as its source text.
import type * as Http from 'node:http';
import type * as Inspector from 'node:inspector';
import type * as Net from 'node:net';
import type * as Zlib from 'node:zlib';
import type { WireDelivery, WireOutcome } from './rescue-registry';
import type { RescueReport, StuckFrame } from './rescue-types';

/** What the primary asks for, in one JSON line on the rescue socket. */
export interface RescueRequest {
  /** How long the main thread had been silent, and the watchdog's timeout (for the stack's first line). */
  silentMs: number;
  timeoutMs: number;
  /** How long to wait for the pause before calling the block native. */
  pauseMs: number;
  /** The whole rescue, sends included, ends within this. */
  deadlineMs: number;
}

interface PausedFrame {
  callFrameId: string;
  functionName: string;
  url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

/** The thread's listener; `socketPath` undefined: the rescue is off, nothing listens. */
export function rescueThread(req: NodeJS.Require, socketPath: string | undefined, rescueKey: string): void {
  if (!socketPath) return;
  const net = req('node:net') as typeof Net;
  let running: Promise<RescueReport> | undefined;

  const server = net.createServer((socket) => {
    let input = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      input += chunk;
      const end = input.indexOf('\n');
      // The primary's word is one short line: anything longer is not it.
      if (end < 0 && input.length > 4096) socket.destroy();
      if (end < 0) return;
      let request: RescueRequest;
      try {
        request = JSON.parse(input.slice(0, end)) as RescueRequest;
      } catch {
        socket.end();
        return;
      }
      // Once: a second word shares the first rescue's answer.
      void (running ??= rescue(request)).then((report) => socket.end(`${JSON.stringify(report)}\n`));
    });
  });
  server.on('error', () => undefined);
  server.listen(socketPath);
  server.unref();

  async function rescue(request: RescueRequest): Promise<RescueReport> {
    const started = Date.now();
    const deadline = started + request.deadlineMs;
    const report: RescueReport = { outcome: 'failed', frames: [], spansEnded: 0, spansRescued: 0, spansLost: 0, spansInFlight: 0, notes: [], tookMs: 0 };
    const done = (): RescueReport => Object.assign(report, { tookMs: Date.now() - started });
    let inspector: typeof Inspector;
    try {
      inspector = req('node:inspector') as typeof Inspector;
    } catch {
      report.notes.push('this Node was built without the inspector: no stack could be taken');
      return done();
    }
    const session = new inspector.Session();
    try {
      session.connectToMainThread();
    } catch (error) {
      report.notes.push(`the inspector could not reach the main thread (${(error as Error).message})`);
      return done();
    }
    const post = (method: string, params: object = {}): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as Record<string, unknown>))));
    // CDP's callFrame.url is often empty: the script's URL comes with Debugger.scriptParsed, sent for every script on enable.
    const urls = new Map<string, string>();
    session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) => urls.set(m.params.scriptId, m.params.url));
    const paused = new Promise<{ callFrames: PausedFrame[] }>((resolve) => session.once('Debugger.paused', (m) => resolve(m.params as { callFrames: PausedFrame[] })));
    post('Debugger.enable').catch(() => undefined);
    post('Debugger.pause').catch(() => undefined);
    // A ref'd timer: it also keeps this thread's loop alive while the answers are due.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), request.pauseMs)));
    const params = await Promise.race([paused, timeout]);
    clearTimeout(timer);
    if (!params) {
      session.disconnect();
      report.outcome = 'native';
      return done();
    }
    report.outcome = 'paused';
    const frames: StuckFrame[] = params.callFrames.map((f) => ({
      functionName: f.functionName || '<anonymous>',
      url: f.url || urls.get(f.location.scriptId) || `<script ${f.location.scriptId}>`,
      line: f.location.lineNumber + 1,
      column: f.location.columnNumber + 1,
    }));
    const message = `the main thread was stuck: no heartbeat for ${request.silentMs} ms (heartbeatTimeoutMs ${request.timeoutMs}), so the watchdog killed the worker`;
    const stacktrace = [`StuckWorkerError: ${message}`, ...frames.map((f) => `    at ${f.functionName} (${f.url}:${f.line}:${f.column})`)].join('\n');
    Object.assign(report, { frames, stacktrace });
    let outcome: WireOutcome | undefined;
    try {
      const stuck = JSON.stringify({ frames, stacktrace, message });
      const expression = `(() => { const h = globalThis[Symbol.for(${JSON.stringify(rescueKey)})]; return h ? h.run(${stuck}) : undefined; })()`;
      const answer = await post('Debugger.evaluateOnCallFrame', { callFrameId: params.callFrames[0]?.callFrameId, expression, returnByValue: true, silent: true });
      const value = (answer.result as { value?: unknown } | undefined)?.value;
      if (answer.exceptionDetails) report.notes.push(`the rescue call threw on the main thread: ${JSON.stringify((answer.exceptionDetails as { text?: string }).text ?? '')}`);
      else if (typeof value === 'string') outcome = JSON.parse(value) as WireOutcome;
      else report.notes.push('nothing registered a rescue (no @forkhooks/otel-init tracing in this worker)');
    } catch (error) {
      report.notes.push(`the rescue call failed: ${(error as Error).message}`);
    } finally {
      // Resumes the main thread (it spins on until the kill) and lets the process exit without waiting for a debugger.
      session.disconnect();
    }
    if (!outcome) return done();
    Object.assign(report, { spansEnded: outcome.spansEnded, spansLost: outcome.spansLost, spansInFlight: outcome.spansInFlight });
    report.notes.push(...outcome.notes);
    const failures = await Promise.all(outcome.deliveries.map((d) => deliver(d, deadline)));
    outcome.deliveries.forEach((d, i) => {
      if (failures[i] === undefined) report.spansRescued += d.spans;
      else report.spansLost += d.spans;
    });
    for (const failure of new Set(failures)) if (failure !== undefined) report.notes.push(`a send failed: ${failure}`);
    return done();
  }

  /** POSTs one delivery before `deadline`; resolves with why it failed, or undefined. The URL is never named: it may hold a key. */
  function deliver(d: WireDelivery, deadline: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      try {
        const url = new URL(d.url);
        const http = req(url.protocol === 'https:' ? 'node:https' : 'node:http') as typeof Http;
        const raw = Buffer.from(d.body, 'base64');
        const body = d.gzip ? (req('node:zlib') as typeof Zlib).gzipSync(raw) : raw;
        const ms = Math.max(1, deadline - Date.now());
        const request = http.request(url, { method: 'POST', headers: { ...d.headers, 'Content-Length': String(body.length) }, timeout: ms, ...d.tls }, (res) => {
          res.resume();
          res.on('error', (error) => resolve(error.message));
          res.on('end', () => resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300 ? undefined : `the collector answered ${res.statusCode}`));
        });
        request.on('timeout', () => request.destroy(new Error(`no answer within ${ms} ms`)));
        request.on('error', (error) => resolve(error.message));
        request.end(body);
      } catch (error) {
        resolve((error as Error).message);
      }
    });
  }
}
