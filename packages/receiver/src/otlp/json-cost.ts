import { JSON_CONTAINER_COST, JSON_MEMBER_COST, kindOf, type DecodeCost } from './decode-cost';

const TEXT = kindOf('bytes of text');
const CONTAINERS = kindOf('JSON objects and arrays');
const MEMBERS = kindOf('JSON members');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Charges `cost` for what JSON.parse would make of `body`, before it runs: its text (twice the body:
 * one non-Latin-1 character makes the whole string two bytes a character), every object and array,
 * and every member and element. One pass over the bytes outside strings (UTF-8 never puts an ASCII
 * byte inside a multi-byte character, so a quote or a bracket byte is always that character).
 */
export function chargeJson(body: Uint8Array, cost: DecodeCost): void {
  cost.charge(TEXT, 2, body.length);
  let containers = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      containers += 1;
    } else if (byte === COMMA || byte === COLON) {
      members += 1;
    }
  }
  cost.charge(CONTAINERS, JSON_CONTAINER_COST, containers);
  cost.charge(MEMBERS, JSON_MEMBER_COST, members);
}
