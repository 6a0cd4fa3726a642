import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from '../errors/http-error';

/** The two OTLP/HTTP body formats. */
export type BodyFormat = 'json' | 'protobuf';

/** Content-Encodings the receiver reads. */
export type ContentEncoding = 'identity' | 'gzip' | 'deflate';

/** The request's body format from its Content-Type; throws a 415 `HttpError` for anything else. */
export function bodyFormat(headers: IncomingHttpHeaders): BodyFormat {
  const raw = headers['content-type'];
  const type = (raw ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  throw new HttpError(
    415,
    `unsupported Content-Type ${raw === undefined ? '(none)' : JSON.stringify(raw)}: ` +
      'OTLP/HTTP takes application/json or application/x-protobuf',
  );
}

/** The request's Content-Encoding; throws a 415 `HttpError` for one the receiver cannot decode. */
export function contentEncoding(headers: IncomingHttpHeaders): ContentEncoding {
  const raw = headers['content-encoding'];
  const encoding = (raw ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return 'identity';
  if (encoding === 'gzip' || encoding === 'x-gzip') return 'gzip';
  if (encoding === 'deflate') return 'deflate';
  throw new HttpError(415, `unsupported Content-Encoding ${JSON.stringify(raw)}: use gzip or none`);
}

/** The Content-Length a request declares, when it declares a valid one. */
export function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['content-length'];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}
