import { join } from 'node:path';
import { ExportTraceServiceRequestType } from '../../receiver/src/otlp/proto-schema';
import { runNode } from '../../../test-utils/processes';
import { LINES, useLine } from './otel-lines';

// forkhooks' OTLP encoders (src/otlp/encodings.ts) against the official serializers of each
// OpenTelemetry line: the same real SDK spans, encoded by both, must decode to the same request.
// Protobuf: both decoded with the receiver's schema. JSON: both parsed, and equal once the official
// output is corrected where it deviates from OTLP/JSON (each correction named and asserted below).
const FIXTURE = join(__dirname, 'fixtures', 'encoding-equivalence.js');

interface ScenarioOutput {
  scenario: string;
  spans: number;
  protobuf: { ours: string; again: string; official: string };
  json: { ours: string; again: string; official: string };
  contentTypes: string[];
}

/** A protobuf request as a plain object: 64-bit integers as decimal strings, bytes as base64, defaults filled in. */
function decode(base64: string): Record<string, unknown> {
  const message = ExportTraceServiceRequestType.decode(Buffer.from(base64, 'base64'));
  return ExportTraceServiceRequestType.toObject(message, { longs: String, bytes: String, defaults: true }) as Record<string, unknown>;
}

type Json = unknown;
const parse = (base64: string): Json => JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;
const IDS = new Set(['traceId', 'spanId', 'parentSpanId']);
/** The fixture's non-finite attributes (fixtures/encoding-equivalence.js, span "numbers"), by key, as proto3 JSON spells each. */
const NON_FINITE: Record<string, string> = { nan: 'NaN', inf: 'Infinity', neg_inf: '-Infinity' };

/** What corrections the official JSON needed, by kind, for the test to assert on. */
interface Corrections {
  intAsNumber: number;
  intOutOfRange: number;
  nonFiniteDouble: number;
  upperCaseId: number;
  resourceSchemaUrl: number;
}

/**
 * The official JSON corrected to OTLP/JSON where it deviates from it:
 * - intValue as a JSON number: OTLP/JSON writes 64-bit integers as decimal strings (proto3 JSON
 *   mapping; specification PR #1637); a number past 2^53 is the double's exact value.
 * - intValue out of int64 (2^64, 1e21): no int64 holds it; the official protobuf serializer writes
 *   it as a double_value, and so do we in both encodings.
 * - doubleValue null for NaN/±Infinity (what JSON.stringify makes of them): proto3 JSON spells them
 *   "NaN", "Infinity", "-Infinity" (a JSON string); the expected value is the spelling for the
 *   attribute's own value (NON_FINITE, by the fixture's attribute key), never ours copied over.
 * - ids in upper case (passed through from the span context): OTLP/JSON ids are lower-case hex.
 * - `resource.schemaUrl`: opentelemetry-proto's Resource has no schema_url (ResourceSpans has, and both
 *   write it there); the official JSON also writes it inside the resource, an unknown field.
 */
function corrected(official: Json, ours: Json, fixes: Corrections, attributeKey?: string): Json {
  if (Array.isArray(official)) return official.map((item, i) => corrected(item, (ours as Json[] | undefined)?.[i], fixes));
  if (official === null || typeof official !== 'object') return official;
  const out: Record<string, Json> = {};
  const mine = (ours ?? {}) as Record<string, Json>;
  // A KeyValue: its value is that attribute's, for the non-finite spelling below.
  const keyValueKey = (official as Record<string, Json>).key;
  const ownKey = typeof keyValueKey === 'string' ? keyValueKey : attributeKey;
  for (const [key, value] of Object.entries(official as Record<string, Json>)) {
    if (key === 'intValue' && typeof value === 'number') {
      if (value >= INT64_MIN && value < INT64_END) {
        fixes.intAsNumber++;
        out[key] = BigInt(value).toString();
      } else {
        fixes.intOutOfRange++;
        out.doubleValue = value;
      }
    } else if (key === 'doubleValue' && value === null) {
      fixes.nonFiniteDouble++;
      const spelling = ownKey === undefined ? undefined : NON_FINITE[ownKey];
      if (spelling === undefined) throw new Error(`a null doubleValue in the official JSON outside the fixture's non-finite attributes (key ${ownKey})`);
      out[key] = spelling;
    } else if (key === 'resource' && value !== null && typeof value === 'object' && 'schemaUrl' in value) {
      fixes.resourceSchemaUrl++;
      const { schemaUrl: _dropped, ...resource } = value as Record<string, Json>;
      out[key] = corrected(resource, mine[key], fixes, ownKey);
    } else if (IDS.has(key) && typeof value === 'string' && value !== value.toLowerCase()) {
      fixes.upperCaseId++;
      out[key] = value.toLowerCase();
    } else {
      out[key] = corrected(value, mine[key === 'intValue' ? 'doubleValue' : key], fixes, ownKey);
    }
  }
  return out;
}

function spanNames(request: Json): string[] {
  const names: string[] = [];
  for (const rs of (request as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] }).resourceSpans) {
    for (const ss of rs.scopeSpans) for (const span of ss.spans) names.push(span.name);
  }
  return names;
}

describe.each(LINES)('forkhooks OTLP trace encodings = the official serializers, OpenTelemetry %s line', (lineName, available) => {
  const line = useLine(lineName, available);
  const maybe = available ? it : it.skip;
  let outputs: Map<string, ScenarioOutput>;

  beforeAll(async () => {
    if (!available) return;
    const result = await runNode(line.entry(FIXTURE), { node: line.node, env: line.env, timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`encoding-equivalence.js failed (${result.code}): ${result.stderr}`);
    outputs = new Map(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ScenarioOutput)
        .map((o) => [o.scenario, o]),
    );
  }, 120_000);

  const scenario = (name: string): ScenarioOutput => {
    const output = outputs.get(name);
    if (!output) throw new Error(`the fixture printed no "${name}" scenario`);
    return output;
  };

  describe.each(['rich', 'two resources', 'many', 'anyvalue'])('%s spans', (name) => {
    maybe('http/protobuf: our bytes decode to the official request', () => {
      const { protobuf, spans } = scenario(name);
      const ours = decode(protobuf.ours);
      expect(ours).toEqual(decode(protobuf.official));
      expect(spanNames(ours)).toHaveLength(spans);
    });

    maybe('http/json: our text parses to the official request, corrected where it deviates from OTLP/JSON', () => {
      const { json, spans } = scenario(name);
      const ours = parse(json.ours);
      const fixes: Corrections = { intAsNumber: 0, intOutOfRange: 0, nonFiniteDouble: 0, upperCaseId: 0, resourceSchemaUrl: 0 };
      expect(ours).toEqual(corrected(parse(json.official), ours, fixes));
      expect(spanNames(ours)).toHaveLength(spans);
      // Every scenario has integer attributes, which the official serializer writes as numbers.
      expect(fixes.intAsNumber).toBeGreaterThan(0);
      if (name === 'rich') {
        // NaN, Infinity, -Infinity; 2^64 and 1e21; the upper-case link ids (trace and span); the
        // resource's schema URL (kept on the ResourceSpans).
        expect(fixes).toMatchObject({ nonFiniteDouble: 3, intOutOfRange: 2, upperCaseId: 2, resourceSchemaUrl: 1 });
        expect((ours as { resourceSpans: { schemaUrl: string }[] }).resourceSpans[0]?.schemaUrl).toBe('https://opentelemetry.io/schemas/1.30.0');
      }
    });

    maybe('a batch taken twice is empty the second time', () => {
      const { protobuf, json } = scenario(name);
      expect(decode(protobuf.again)).toEqual({ resourceSpans: [] });
      expect(parse(json.again)).toEqual({ resourceSpans: [] });
    });
  });

  maybe('spans of 2 resources make 2 ResourceSpans, each with its own spans', () => {
    const request = decode(scenario('two resources').protobuf.ours) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue: string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[];
    };
    expect(request.resourceSpans.map((rs) => [rs.resource.attributes[0]?.value.stringValue, rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))])).toEqual([
      ['one', ['span-0', 'span-2', 'span-4']],
      ['two', ['span-1', 'span-3', 'span-5']],
    ]);
  });

  maybe('the rich scenario has what it claims: every kind, remote and local parents, dropped counts, scopes with schema URLs, int64 past 2^53', () => {
    const request = decode(scenario('rich').protobuf.ours) as {
      resourceSpans: {
        schemaUrl: string;
        scopeSpans: {
          scope: { name: string; version: string };
          schemaUrl: string;
          spans: {
            name: string;
            kind: number;
            flags: number;
            spanId: string;
            parentSpanId: string;
            traceState: string;
            droppedAttributesCount: number;
            droppedEventsCount: number;
            droppedLinksCount: number;
            attributes: { key: string; value: Record<string, unknown> }[];
          }[];
        }[];
      }[];
    };
    const [resourceSpans] = request.resourceSpans;
    expect(resourceSpans?.schemaUrl).toBe('https://opentelemetry.io/schemas/1.30.0');
    const scopes = resourceSpans?.scopeSpans ?? [];
    // In the order their first span ended (local-child ends before its parent remote-child).
    expect(scopes.map((s) => [s.scope.name, s.scope.version, s.schemaUrl])).toEqual([
      ['scope-a', '1.2.3', 'https://example.com/schema-a'],
      ['scope-a', '2.0.0', ''],
      ['scope-b', '', ''],
      ['unicode-scope-ü', '', ''],
    ]);
    const spans = new Map(scopes.flatMap((s) => s.spans).map((s) => [s.name, s]));
    expect([0, 1, 2, 3, 4].map((k) => spans.get(`kind-${k}`)?.kind)).toEqual([1, 2, 3, 4, 5]);
    const remoteChild = spans.get('remote-child');
    // Sampled, has-is-remote, is-remote; the trace state comes from the remote parent.
    expect(remoteChild?.flags).toBe(0x301);
    expect(remoteChild?.traceState).toBe('vendor=value,other=x');
    expect(remoteChild?.droppedLinksCount).toBe(1);
    expect(spans.get('local-child')?.flags).toBe(0x101);
    expect(spans.get('local-child')?.parentSpanId).toBe(remoteChild?.spanId);
    expect(remoteChild?.parentSpanId).toBe(Buffer.from('0102030405060708', 'hex').toString('base64'));
    expect(spans.get('local-child')?.droppedAttributesCount).toBe(7);
    expect(spans.get('local-child')?.droppedEventsCount).toBe(2);
    expect(spans.get('kind-0')?.parentSpanId).toBe('');
    const attributes = new Map(spans.get('rich')?.attributes.map((a) => [a.key, a.value]));
    expect(attributes.get('above_2_53')).toMatchObject({ intValue: String(2n ** 60n) });
    expect(attributes.get('min_int64')).toMatchObject({ intValue: String(-(2n ** 63n)) });
    expect(attributes.get('astral')).toMatchObject({ stringValue: 'emoji 😀🎉 and 𝄞' });
  });
});
