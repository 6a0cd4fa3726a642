import type * as protobuf from 'protobufjs';
import { HttpError } from '../errors/http-error';
import { kindOf, MESSAGE_COST, STRING_COST, type DecodeCost, type MessageCosts } from './decode-cost';
import { readField, type WireField } from './wire-reader';

// protobufjs' own limit (util.recursionLimit), so that nothing it would refuse passes here.
const MAX_DEPTH = 100;
/** A repeated number decoded one by one (64-bit ones are Long objects). */
const NUMBER_COST = 48;
/** Per byte of a packed repeated number (8 bytes may become one Long object). */
const PACKED_BYTE_COST = 6;

/** What the walk needs of one message type, built once from protobufjs' reflection of proto-schema.ts. */
interface Plan {
  name: string;
  kind: number;
  /** Charged per instance. */
  cost: number;
  /** Decoded alone by protobufjs: its messages are held only while it is decoded. */
  alone: boolean;
  /** Bytes charged per byte of a string (1) or bytes (2: ids become hex) field; 0 for other fields. */
  fields: Map<number, { name: string; child: Plan | undefined; repeated: boolean; perByte: number }>;
}

const STRINGS = kindOf('strings');
const NUMBERS = kindOf('numbers');
const PACKED_NUMBERS = kindOf('bytes of packed numbers');
const PER_BYTE: Readonly<Record<string, number>> = { string: 1, bytes: 2 };
const plansByCosts = new WeakMap<MessageCosts, Map<protobuf.Type, Plan>>();

function planOf(type: protobuf.Type, costs: MessageCosts): Plan {
  let plans = plansByCosts.get(costs);
  if (plans === undefined) plansByCosts.set(costs, (plans = new Map()));
  const known = plans.get(type);
  if (known) return known;
  const plan: Plan = { name: type.name, kind: kindOf(type.name), cost: costs.kept[type.name] ?? costs.kept.default, alone: costs.decodedAlone.has(type.name), fields: new Map() };
  plans.set(type, plan); // before the fields: AnyValue and KeyValue refer to each other.
  for (const field of type.fieldsArray) {
    field.resolve();
    const child = field.resolvedType !== null && 'fieldsArray' in field.resolvedType ? planOf(field.resolvedType as protobuf.Type, costs) : undefined;
    plan.fields.set(field.id, { name: field.name, child, repeated: field.repeated, perByte: PER_BYTE[field.type] ?? 0 });
  }
  return plan;
}

/**
 * Walks a protobuf body of message `type` without decoding it and charges `cost` for every message
 * (at `costs`), string and repeated number it would decode to: a body that would take more than `maxDecodedBytes`
 * is refused (413) before anything is allocated, and a broken one (400) before protobufjs sees it.
 */
export function chargeProtobuf(type: protobuf.Type, body: Uint8Array, cost: DecodeCost, costs: MessageCosts): void {
  walk(body, 0, body.length, planOf(type, costs), 0, cost, false);
}

function walk(body: Uint8Array, start: number, end: number, plan: Plan, depth: number, cost: DecodeCost, insideAlone: boolean): void {
  if (depth > MAX_DEPTH) throw new HttpError(400, `body is not a valid OTLP protobuf: messages nested deeper than ${MAX_DEPTH} levels (at byte ${start})`);
  cost.charge(plan.kind, plan.cost);
  const alone = plan.alone && !insideAlone;
  if (alone || insideAlone) cost.chargePassing(MESSAGE_COST);
  // A loop, not the wireFields generator: this walk is the part of every protobuf body that runs in one piece.
  const wire: WireField = { field: 0, wireType: 0, start: 0, end: start };
  for (let pos = start; pos < end; pos = wire.end) {
    readField(body, pos, end, plan.name, wire);
    const field = plan.fields.get(wire.field);
    if (field === undefined) continue; // an unknown field: skipped, as protobuf intends
    if (field.child !== undefined) {
      if (wire.wireType !== 2) {
        throw new HttpError(400, `body is not a valid protobuf ${plan.name}: field ${wire.field} (${field.name}) has wire type ${wire.wireType}, expected 2 (a message) (at byte ${wire.start})`);
      }
      walk(body, wire.start, wire.end, field.child, depth + 1, cost, alone || insideAlone);
    } else if (field.perByte > 0) {
      cost.charge(STRINGS, STRING_COST + field.perByte * (wire.end - wire.start));
    } else if (field.repeated) {
      if (wire.wireType === 2) cost.charge(PACKED_NUMBERS, PACKED_BYTE_COST, wire.end - wire.start);
      else cost.charge(NUMBERS, NUMBER_COST);
    }
  }
  if (alone) cost.endPassing();
}
