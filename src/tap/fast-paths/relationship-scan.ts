// A JSON:API relationship object read from its bytes (event-scan.ts): whether its data is one resource identifier
// with a string id, and where that id lies; every other member passed over with its structure checked.
import { at, colon, emptyObject, firstKey, holds, nextKey, QUOTE, readString, skipValue, special } from '../http/byte-scanner.js';

/** The id the last relationship read holds: start and end of its text (without quotes), 1 where escaped or non-ASCII. */
export const found = new Int32Array(3);
/** Whether the last relationship read holds one resource with a string id (in `found`), rather than none. */
export let has = false;

/**
 * The relationship object at `i`: the position after it, with `has` saying whether its data is one resource with a
 * string id or none (no data, null, a list); -1 where it is not read (anything else: flatten would take `undefined`
 * of it, or a key with an escape, which may stand for `data`).
 */
export function relationship(b: Buffer, i: number): number {
  has = false;
  const empty = emptyObject(b, i);
  if (empty >= 0) return empty;
  let seen = false;
  for (i = firstKey(b, i); i >= 0; ) {
    const key = i;
    i = readString(b, i);
    if (i < 0 || special) return -1;
    const isData = holds(b, key + 1, i - 1, 'data');
    i = colon(b, i);
    if (i < 0) return -1;
    if (!isData) i = skipValue(b, i);
    else {
      if (seen) return -1;
      seen = true;
      const c = at(b, i);
      if (c === 0x6e || c === 0x5b) i = skipValue(b, i);
      else if (c === 0x7b) {
        i = identifier(b, i);
        has = true;
      } else return -1;
    }
    if (i < 0) return -1;
    i = nextKey(b, i);
  }
  return i === -1 ? -1 : -1 - i;
}

/** `{"type": ..., "id": "..."}` (other members checked and passed over) at `i`, with a string id (into `found`). */
function identifier(b: Buffer, i: number): number {
  let id = false;
  for (i = firstKey(b, i); i >= 0; ) {
    const key = i;
    i = readString(b, i);
    if (i < 0 || special) return -1;
    const isId = holds(b, key + 1, i - 1, 'id');
    i = colon(b, i);
    if (i < 0) return -1;
    if (!isId) i = skipValue(b, i);
    else {
      if (id || at(b, i) !== QUOTE) return -1;
      const start = i;
      i = readString(b, i);
      found[0] = start + 1;
      found[1] = i - 1;
      found[2] = special ? 1 : 0;
      id = true;
    }
    if (i < 0) return -1;
    i = nextKey(b, i);
  }
  return i === -1 || !id ? -1 : -1 - i;
}
