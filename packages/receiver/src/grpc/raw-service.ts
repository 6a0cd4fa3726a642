import type { ServiceDefinition } from '@grpc/grpc-js';

// Messages stay bytes through grpc-js: each service decodes its request with the receiver's own
// schema (as OTLP/HTTP protobuf bodies are), and answers an empty Export*ServiceResponse.
const bytes = (value: Buffer): Buffer => value;

/** An OTLP service with one unary `Export` method at `path`, on raw bytes, for `@grpc/grpc-js`' `addService`. */
export function rawExportService(path: string): ServiceDefinition {
  return {
    Export: { path, requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes },
  };
}
