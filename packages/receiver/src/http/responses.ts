import type { ServerResponse } from 'node:http';
import { grpcCodeForHttpStatus } from '../otlp/grpc-status';
import { RpcStatusType } from '../otlp/proto-schema';
import type { BodyFormat } from './content-type';

/** How an answer is written. */
export interface AnswerOptions {
  /** The request's Content-Type, echoed on protobuf answers (a collector answers in the request's format). */
  contentType?: string;
  /** Close the connection once the answer is sent. */
  close?: boolean;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** The answer to an accepted export: an empty ExportTraceServiceResponse in the request's format. */
export function sendExportSuccess(res: ServerResponse, format: BodyFormat, options: AnswerOptions = {}): void {
  // JSON: `{}`, not `{"partialSuccess":{}}`: some exporters log any partialSuccess as a warning.
  send(res, 200, format === 'json' ? Buffer.from('{}') : Buffer.alloc(0), contentTypeFor(format, options), options);
}

/** An OTLP error answer: a google.rpc.Status with the message, in protobuf or JSON as the request was. */
export function sendError(res: ServerResponse, status: number, message: string, format: BodyFormat, options: AnswerOptions = {}): void {
  const code = grpcCodeForHttpStatus(status);
  const body =
    format === 'protobuf'
      ? Buffer.from(RpcStatusType.encode(RpcStatusType.create({ code, message })).finish())
      : Buffer.from(JSON.stringify({ code, message }));
  send(res, status, body, contentTypeFor(format, options), options);
}

/** A 200 whose body is no OTLP response at all: for tests of how an exporter copes. */
export function sendGarbage(res: ServerResponse, format: BodyFormat, options: AnswerOptions = {}): void {
  // 0xff.. is an invalid protobuf tag (wire type 7) and invalid JSON alike.
  send(res, 200, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7b, 0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65]), contentTypeFor(format, options), options);
}

/** A JSON document, for the summary routes. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headOnly = false): void {
  const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  send(res, status, headOnly ? Buffer.alloc(0) : body, 'application/json; charset=utf-8', { headers: { 'content-length': String(body.length) } });
}

function contentTypeFor(format: BodyFormat, options: AnswerOptions): string {
  if (format === 'json') return 'application/json';
  return options.contentType?.toLowerCase().startsWith('application/protobuf') ? 'application/protobuf' : 'application/x-protobuf';
}

function send(res: ServerResponse, status: number, body: Buffer, contentType: string, options: AnswerOptions): void {
  // The client may be gone (a timeout, a reset fault, close()): nothing to answer then.
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { 'content-type': contentType, 'content-length': String(body.length), ...options.headers };
  if (options.close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}
