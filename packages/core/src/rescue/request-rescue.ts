import { connect } from 'node:net';
import type { RescueRequest } from './rescue-thread';
import type { RescueReport } from './rescue-types';

/**
 * The primary's side: tells a condemned worker's watchdog thread to rescue (rescue-thread.ts) and
 * waits for its answer, at most `waitMs`. Resolves with the report, or with why there is none
 * (`error`); never rejects. The primary kills the worker after it, whatever the answer.
 */
export function requestRescue(address: string, request: RescueRequest, waitMs: number): Promise<RescueReport | { error: string }> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(address);
    const finish = (result: RescueReport | { error: string }): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ error: `no answer within ${waitMs} ms` }), waitMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (!answer.includes('\n')) return;
      try {
        finish(JSON.parse(answer.slice(0, answer.indexOf('\n'))) as RescueReport);
      } catch {
        finish({ error: 'an answer that is not JSON' });
      }
    });
    socket.on('error', (error) => finish({ error: `its rescue socket: ${error.message}` }));
    socket.on('end', () => finish({ error: 'the watchdog thread closed the socket without an answer' }));
  });
}
