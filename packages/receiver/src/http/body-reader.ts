import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { HttpError } from '../errors/http-error';
import type { ContentEncoding } from './content-type';

/** Limits on reading one body. */
export interface BodyLimits {
  /** Largest body, raw and decompressed alike. */
  maxBodyBytes: number;
  /** Most memory (as estimated by otlp/decode-cost.ts) one body may take once decoded. */
  maxDecodedBytes: number;
  /** Time allowed for the whole body once the headers arrived. */
  timeoutMs: number;
}

/** Bytes of the raw (possibly compressed) body read so far; kept up to date while reading, for the request log. */
export interface BodyProgress {
  rawBytes: number;
}

/**
 * Reads a request body into memory, decompressing it, and rejects with an `HttpError` as soon as a
 * limit is crossed: 413 when the raw or the decompressed size passes `maxBodyBytes` (checked chunk by
 * chunk, so a gzip bomb is stopped after at most one zlib chunk past the limit), 400 on bad gzip or
 * deflate data, 408 when the body is not complete in time, status 0 when the client goes away.
 */
export function readBody(req: IncomingMessage, encoding: ContentEncoding, limits: BodyLimits, progress: BodyProgress): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const inflater: Gunzip | Inflate | undefined =
      encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : undefined;

    const cleanup = (): void => {
      clearTimeout(timer);
      req.off('data', onRaw);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      if (inflater !== undefined) {
        req.unpipe(inflater);
        inflater.off('data', collect);
        inflater.off('end', onEnd);
        inflater.destroy();
      }
    };
    const fail = (error: HttpError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      chunks.length = 0;
      reject(error);
    };
    const collect = (chunk: Buffer): void => {
      if (settled) return;
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        fail(new HttpError(413, `decompressed body is larger than maxBodyBytes (${limits.maxBodyBytes} bytes)`));
        return;
      }
      chunks.push(chunk);
    };
    const onRaw = (chunk: Buffer): void => {
      progress.rawBytes += chunk.length;
      if (progress.rawBytes > limits.maxBodyBytes) {
        fail(new HttpError(413, `body is larger than maxBodyBytes (${limits.maxBodyBytes} bytes)`));
      } else if (inflater === undefined) {
        collect(chunk);
      }
    };
    const onEnd = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onClose = (): void => {
      if (!req.complete) fail(new HttpError(0, 'the client closed the connection before sending the whole body'));
    };
    const timer = setTimeout(() => {
      fail(new HttpError(408, `the request body was not received within ${limits.timeoutMs} ms`, true));
    }, limits.timeoutMs);

    req.on('data', onRaw);
    req.on('close', onClose);
    req.on('error', onClose);
    if (inflater === undefined) {
      req.on('end', onEnd);
    } else {
      inflater.on('data', collect);
      inflater.on('end', onEnd);
      inflater.on('error', (error: Error) => {
        fail(new HttpError(400, `body is not valid ${encoding} data as its Content-Encoding says: ${error.message}`));
      });
      req.pipe(inflater);
    }
  });
}

// A refused body is drained, not kept, so that the client can read our answer: up to maxBodyBytes
// more, and at least this much.
const MIN_DISCARD_BYTES = 1024 * 1024;

/**
 * Reads and throws away what is left of a body we already answered, so that a keep-alive client can
 * read our answer and go on; a client that keeps sending past the cap or the body timeout is cut off.
 */
export function discardBody(req: IncomingMessage, limits: BodyLimits): void {
  if (req.complete || req.destroyed) return;
  const capBytes = Math.max(limits.maxBodyBytes, MIN_DISCARD_BYTES);
  let discarded = 0;
  const stop = (): void => clearTimeout(timer);
  const timer = setTimeout(() => req.socket.destroy(), limits.timeoutMs);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > capBytes) {
      stop();
      req.socket.destroy();
    }
  });
  req.on('end', stop);
  req.on('close', stop);
  req.resume();
}
