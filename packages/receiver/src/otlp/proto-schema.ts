import * as protobuf from 'protobufjs';

// The few OTLP messages a trace receiver needs (opentelemetry/proto v1: common, resource, trace,
// collector/trace) plus google.rpc.Status for error answers, as a protobufjs reflection descriptor.
// Written out by hand because @opentelemetry/otlp-transformer 0.2xx ships a serializer but no decoder.
// Fields added to OTLP later are unknown here and skipped by the decoder, as protobuf intends.
const field = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

const DESCRIPTOR = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: {
            value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] },
          },
          fields: {
            stringValue: field('string', 1),
            boolValue: field('bool', 2),
            intValue: field('int64', 3),
            doubleValue: field('double', 4),
            arrayValue: field('ArrayValue', 5),
            kvlistValue: field('KeyValueList', 6),
            bytesValue: field('bytes', 7),
          },
        },
        ArrayValue: { fields: { values: repeated('AnyValue', 1) } },
        KeyValueList: { fields: { values: repeated('KeyValue', 1) } },
        KeyValue: { fields: { key: field('string', 1), value: field('AnyValue', 2) } },
        Resource: { fields: { attributes: repeated('KeyValue', 1), droppedAttributesCount: field('uint32', 2) } },
        InstrumentationScope: {
          fields: {
            name: field('string', 1),
            version: field('string', 2),
            attributes: repeated('KeyValue', 3),
            droppedAttributesCount: field('uint32', 4),
          },
        },
        Event: {
          fields: {
            timeUnixNano: field('fixed64', 1),
            name: field('string', 2),
            attributes: repeated('KeyValue', 3),
            droppedAttributesCount: field('uint32', 4),
          },
        },
        Link: {
          fields: {
            traceId: field('bytes', 1),
            spanId: field('bytes', 2),
            traceState: field('string', 3),
            attributes: repeated('KeyValue', 4),
            droppedAttributesCount: field('uint32', 5),
            flags: field('fixed32', 6),
          },
        },
        // Enums (kind, code) are read as int32: same wire format, and an unknown value stays visible.
        Status: { fields: { message: field('string', 2), code: field('int32', 3) } },
        Span: {
          fields: {
            traceId: field('bytes', 1),
            spanId: field('bytes', 2),
            traceState: field('string', 3),
            parentSpanId: field('bytes', 4),
            name: field('string', 5),
            kind: field('int32', 6),
            startTimeUnixNano: field('fixed64', 7),
            endTimeUnixNano: field('fixed64', 8),
            attributes: repeated('KeyValue', 9),
            droppedAttributesCount: field('uint32', 10),
            events: repeated('Event', 11),
            droppedEventsCount: field('uint32', 12),
            links: repeated('Link', 13),
            droppedLinksCount: field('uint32', 14),
            status: field('Status', 15),
            flags: field('fixed32', 16),
          },
        },
        ScopeSpans: {
          fields: { scope: field('InstrumentationScope', 1), spans: repeated('Span', 2), schemaUrl: field('string', 3) },
        },
        ResourceSpans: {
          fields: { resource: field('Resource', 1), scopeSpans: repeated('ScopeSpans', 2), schemaUrl: field('string', 3) },
        },
        ExportTraceServiceRequest: { fields: { resourceSpans: repeated('ResourceSpans', 1) } },
        // Metrics (opentelemetry/proto v1 metrics, collector/metrics): what /v1/metrics reads.
        NumberDataPoint: {
          oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
          fields: {
            startTimeUnixNano: field('fixed64', 2),
            timeUnixNano: field('fixed64', 3),
            asDouble: field('double', 4),
            asInt: field('sfixed64', 6),
            attributes: repeated('KeyValue', 7),
            flags: field('uint32', 8),
          },
        },
        HistogramDataPoint: {
          fields: {
            startTimeUnixNano: field('fixed64', 2),
            timeUnixNano: field('fixed64', 3),
            count: field('fixed64', 4),
            sum: field('double', 5),
            bucketCounts: repeated('fixed64', 6),
            explicitBounds: repeated('double', 7),
            attributes: repeated('KeyValue', 9),
            flags: field('uint32', 10),
            min: field('double', 11),
            max: field('double', 12),
          },
        },
        Gauge: { fields: { dataPoints: repeated('NumberDataPoint', 1) } },
        Sum: { fields: { dataPoints: repeated('NumberDataPoint', 1), aggregationTemporality: field('int32', 2), isMonotonic: field('bool', 3) } },
        Histogram: { fields: { dataPoints: repeated('HistogramDataPoint', 1), aggregationTemporality: field('int32', 2) } },
        Metric: {
          oneofs: { data: { oneof: ['gauge', 'sum', 'histogram'] } },
          fields: {
            name: field('string', 1),
            description: field('string', 2),
            unit: field('string', 3),
            gauge: field('Gauge', 5),
            sum: field('Sum', 7),
            histogram: field('Histogram', 9),
          },
        },
        ScopeMetrics: { fields: { scope: field('InstrumentationScope', 1), metrics: repeated('Metric', 2), schemaUrl: field('string', 3) } },
        ResourceMetrics: { fields: { resource: field('Resource', 1), scopeMetrics: repeated('ScopeMetrics', 2), schemaUrl: field('string', 3) } },
        ExportMetricsServiceRequest: { fields: { resourceMetrics: repeated('ResourceMetrics', 1) } },
        RpcStatus: { fields: { code: field('int32', 1), message: field('string', 2) } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`. */
export const ExportTraceServiceRequestType: protobuf.Type = root.lookupType('otlp.ExportTraceServiceRequest');

/** `google.rpc.Status`: the body of an OTLP/HTTP error answer in protobuf. */
export const RpcStatusType: protobuf.Type = root.lookupType('otlp.RpcStatus');

/** `opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest`. */
export const ExportMetricsServiceRequestType: protobuf.Type = root.lookupType('otlp.ExportMetricsServiceRequest');
