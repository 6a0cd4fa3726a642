// forkhooks' OTLP/HTTP sender: POSTs encoded batches with the retry rules of the OTLP spec, as the
// official exporter does (otlp-exporter-base's retrying transport and http transport):
// - retried: 429, 502, 503, 504, a request that timed out, and connection errors (ECONNREFUSED, …);
//   up to 5 retries, backoff 1 s × 1.5ⁿ (at most 5 s) ± 20 % jitter, or the answer's Retry-After;
// - OTEL_EXPORTER_OTLP_TRACES_TIMEOUT bounds the whole export, retries included: no attempt and no
//   wait goes past it (a retry that would is not made, and the last error is the export's);
// - any other status fails at once, and so does an HTTP parse error (HPE_*: protocol-mismatch.ts
//   reads its code to say the endpoint looks like a gRPC port).
// Over 200 lines, one file: the send loop, one attempt and the reading of its answer share the retry
// state (deadline, backoff, Retry-After) and the redaction of this sender's own header values.
import type * as Http from 'node:http';
import type { Agent, IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { redactUrl } from '@forkhooks/core';
import { ExportHttpError } from './errors';
import { partialSuccess, statusMessage } from './export-response';
import type { OtlpTransport } from './protocol';
import { watchSockets } from './watch-sockets';

const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);
/** What is kept of an answer's body: enough for a partial success or an error's message. */
const MAX_BODY_BYTES = 64 * 1024;
const MAX_SNIPPET = 200;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const USER_AGENT = `forkhooks-otel-init/${(require('../../package.json') as { version: string }).version}`;
const gzipAsync = promisify(gzip);

/** The transport settings the sender uses. */
export type SenderSettings = Pick<OtlpTransport, 'endpoint' | 'headers' | 'compression' | 'tls'> & { exporterTimeoutMillis: number };

/** How an export ended: delivered (maybe with spans the collector refused), or failed with the last attempt's error. */
export type SendResult = { ok: true; rejected: number } | { ok: false; error: Error };

interface Transport {
  request: typeof Http.request;
  agent: Agent;
}

type Attempt = { kind: 'success'; body: Buffer; json: boolean } | { kind: 'retryable'; error: Error; retryAfterMs?: number } | { kind: 'failure'; error: Error };

/** Sends OTLP/HTTP requests of one content type to `settings.endpoint` over a keep-alive agent. */
export class HttpSender {
  readonly #url: URL;
  readonly #headers: Record<string, string>;
  #transport: Promise<Transport> | undefined;
  #agent: Agent | undefined;

  constructor(
    private readonly settings: SenderSettings,
    private readonly contentType: string,
    /** Hears connection errors (the flush-at-exit line names the last one: `connect ECONNREFUSED …`). */
    private readonly onConnectionError: (error: Error) => void,
    /**
     * Hears an accepted export whose collector refused some spans (OTLP partial success): how many,
     * and its message, redacted. What the user is told is the signal's (tracing/lost-spans.ts).
     */
    private readonly onPartialSuccess?: (rejected: number, said: string | undefined) => void,
  ) {
    this.#url = new URL(settings.endpoint);
    this.#headers = { ...settings.headers, 'Content-Type': contentType, 'User-Agent': USER_AGENT };
    if (settings.compression === 'gzip') this.#headers['Content-Encoding'] = 'gzip';
  }

  /** Sends `body`, retrying as the spec says within the export timeout. Never rejects. */
  async send(body: Uint8Array): Promise<SendResult> {
    const deadline = Date.now() + this.settings.exporterTimeoutMillis;
    let payload: Buffer;
    let transport: Transport;
    try {
      // zlib's async gzip runs on the libuv thread pool, off the event loop.
      payload = this.settings.compression === 'gzip' ? await gzipAsync(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      transport = await (this.#transport ??= this.load());
    } catch (error) {
      return { ok: false, error: error as Error };
    }
    let backoff = INITIAL_BACKOFF_MS;
    let result = await this.attempt(transport, payload, deadline - Date.now());
    for (let retry = 0; result.kind === 'retryable' && retry < MAX_RETRIES; retry++) {
      const wait = result.retryAfterMs ?? Math.min(backoff * (1 + (Math.random() * 2 - 1) * JITTER), MAX_BACKOFF_MS);
      backoff *= BACKOFF_MULTIPLIER;
      if (Date.now() + wait >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      result = await this.attempt(transport, payload, deadline - Date.now());
    }
    if (result.kind !== 'success') return { ok: false, error: result.error };
    return { ok: true, rejected: this.readPartialSuccess(result.body, result.json) };
  }

  /** Closes the agent's idle connections. */
  shutdown(): void {
    this.#agent?.destroy();
  }

  /**
   * node:http (or https) and a keep-alive agent (https: with the certificate variables' files), at the
   * first send. Loaded with import(), as the official exporter does: instrumentations hook require()
   * (and process.getBuiltinModule), and otel-init requiring node:http would patch the builtin the app
   * holds, so an ES module app that imported it directly (which register cannot instrument, and says
   * so) would be traced by accident from then on.
   */
  private async load(): Promise<Transport> {
    const http = this.#url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    const options = this.#url.protocol === 'https:' ? { keepAlive: true, ...this.settings.tls } : { keepAlive: true };
    this.#agent = watchSockets(new http.Agent(options), this.onConnectionError);
    return { request: http.request, agent: this.#agent };
  }

  private attempt({ request, agent }: Transport, payload: Buffer, timeoutMs: number): Promise<Attempt> {
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      const settle = (attempt: Attempt): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(attempt);
      };
      // A whole-request deadline: req.setTimeout only measures idle time, which a slow answer resets.
      const timer = setTimeout(() => {
        settle({ kind: 'retryable', error: new Error(`Request timed out after ${Math.round(timeoutMs)} ms`) });
        req?.destroy();
      }, Math.max(0, timeoutMs));
      let req: Http.ClientRequest | undefined;
      try {
        req = request(this.#url, {
          method: 'POST',
          agent,
          headers: { ...this.#headers, 'Content-Length': String(payload.length) },
        });
      } catch (error) {
        // A header value HTTP refuses (a CR/LF in OTEL_EXPORTER_OTLP_HEADERS): the error names the header, never its value.
        settle({ kind: 'failure', error: error as Error });
        return;
      }
      req.on('response', (res) => this.readAnswer(res, settle));
      req.on('error', (error: NodeJS.ErrnoException) => {
        settle(RETRYABLE_CODES.has(error.code ?? '') ? { kind: 'retryable', error } : { kind: 'failure', error });
      });
      req.end(payload);
    });
  }

  private readAnswer(res: IncomingMessage, settle: (attempt: Attempt) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      // Read to the end (the connection is reused), keep the first bytes only.
      if (size < MAX_BODY_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    res.on('error', (error) => settle(ok(res.statusCode) ? { kind: 'success', body: Buffer.alloc(0), json: false } : { kind: 'failure', error }));
    res.on('end', () => {
      const status = res.statusCode ?? 0;
      const body = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES);
      const type = String(res.headers['content-type'] ?? '').toLowerCase();
      const json = type.includes('json') || (!type.includes('protobuf') && this.contentType.includes('json'));
      if (ok(status)) settle({ kind: 'success', body, json });
      else if (RETRYABLE_STATUS.has(status)) {
        const error = new ExportHttpError(status, res.statusMessage ?? '', this.said(body, json));
        settle({ kind: 'retryable', error, retryAfterMs: retryAfter(res.headers['retry-after']) });
      } else settle({ kind: 'failure', error: new ExportHttpError(status, res.statusMessage ?? '', this.said(body, json)) });
    });
  }

  /** The message of an error answer (google.rpc.Status), else its text: short and redacted. */
  private said(body: Buffer, json: boolean): string | undefined {
    const text = statusMessage(body, json) ?? (body.length ? body.toString('utf8') : undefined);
    return text === undefined ? undefined : this.redact(text);
  }

  /** `text` on one line, at most MAX_SNIPPET characters, with URLs and our own header values redacted. */
  private redact(text: string): string | undefined {
    let clean = redactUrl(text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]+/g, ' ').trim());
    for (const value of Object.values(this.settings.headers)) {
      if (value.length >= 4) clean = clean.split(value).join('***');
    }
    if (clean === '') return undefined;
    return clean.length > MAX_SNIPPET ? `${clean.slice(0, MAX_SNIPPET)}…` : clean;
  }

  /** Spans the collector refused in an accepted export (OTLP partial success): counted as dropped, told to onPartialSuccess. */
  private readPartialSuccess(body: Buffer, json: boolean): number {
    const partial = partialSuccess(body, json);
    if (!partial) return 0;
    this.onPartialSuccess?.(partial.rejectedSpans, this.redact(partial.errorMessage));
    return partial.rejectedSpans;
  }
}

function ok(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status <= 299;
}

/** Retry-After in ms: delay-seconds or an HTTP date; undefined (use the backoff) when absent or unreadable. */
function retryAfter(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1_000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
