// STAND-IN until the encoder branch lands (issue 14): the two OTLP/HTTP trace encodings through
// otlp-transformer's serializers. It keeps the spans of a batch until take() serializes them, which
// is what the real encoders avoid; the processor and the sender do not depend on how this is done.
import { createRequire } from 'node:module';
import type * as Transformer from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { EXPORTER_PACKAGES, resolveExporter } from '../exporters';
import type { TraceBatch, TraceEncoding } from './trace-encoding';

type HttpProtocol = 'http/protobuf' | 'http/json';

/** The encoding of `protocol`'s requests. */
export function traceEncoding(protocol: HttpProtocol): TraceEncoding {
  let serializer: Transformer.ISerializer<ReadableSpan[], unknown> | undefined;
  // The transformer the protocol's exporter package depends on, loaded at the first take().
  const load = (): Transformer.ISerializer<ReadableSpan[], unknown> => {
    const path = resolveExporter({ protocol, protocolSetting: 'OTEL_EXPORTER_OTLP_PROTOCOL' }, EXPORTER_PACKAGES);
    const transformer = createRequire(path)('@opentelemetry/otlp-transformer') as typeof Transformer;
    return protocol === 'http/json' ? transformer.JsonTraceSerializer : transformer.ProtobufTraceSerializer;
  };
  return {
    contentType: protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    newBatch(): TraceBatch {
      let spans: ReadableSpan[] = [];
      return {
        add: (span) => void spans.push(span),
        get count() {
          return spans.length;
        },
        take() {
          const taken = spans;
          spans = [];
          serializer ??= load();
          const bytes = serializer.serializeRequest(taken);
          if (bytes === undefined) throw new Error(`the ${protocol} serializer could not encode ${taken.length} spans`);
          return bytes;
        },
      };
    },
  };
}
