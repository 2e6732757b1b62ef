// A JSON value's text as JSON.stringify(JSON.parse(text)) writes it, read from its UTF-8 bytes in one pass, without
// building the value (the events lane writes `event_properties` this way: parsing and writing it again took a third
// of an event's CPU in other layouts). It checks the text as JSON.parse does, and notes where it wrote the string
// values found at a few paths (for the fields a stream derives from them: their JSON is that text). Where the answer
// would take more than copying tokens it gives up and the caller parses the text:
// - whitespace is dropped; literals, and numbers JavaScript writes back as they are (json-number.ts), are copied;
//   other numbers are written as JSON.stringify writes them;
// - a string is copied, each escape in it written as JSON.stringify writes the character (`\/` and `\u00e9` as the
//   character itself, `\u000a` as `\n`, a lone surrogate escaped: json-escape.ts); control characters are refused;
// - an object's members are copied in order; it gives up on a key with an escape, a key starting with a digit
//   (JavaScript puts array-index keys first) and a key given twice (JSON.parse keeps the last value, in the first
//   place), which it cannot write by copying.
// The text is the same value in fewer bytes or as many (but for numbers: writeCanonical says so), so a reader of a
// page can write it over the value's own bytes (copyCanonical): the page then reads as the same JSON to anyone.
// No byte at or past `end` is used (whitespace is passed by byte-scanner.ts, which never reads past the buffer).
import { ws as skipWhitespace } from '../http/byte-scanner.js';
import { escapeEnd, IN_STRING, writeEscape } from '../http/json-escape.js';
import { closeObject, givenBefore, keysSince, openObject } from './json-keys.js';
import { numberEnd, writtenBack } from '../http/json-number.js';
import { watched, type Watch, type WatchKey } from './json-watch.js';

/** Where the text is written: grown as needed, shared (one value is written at a time). */
let out = Buffer.allocUnsafe(64 * 1024);
let n = 0;
/** Whether the text has a non-ASCII byte (else it reads as Latin-1). */
let high = false;
/** The bytes of the value being written: room kept after `n` for the rest of it. */
let budget = 0;
/** Where the strings at the watched paths were written (start and end of their text, quotes included, by slot; -1). */
let foundAt: Int32Array = new Int32Array(8);
/** The text written last: its length in bytes, whether it has a non-ASCII byte, where its watched strings lie. */
export { n as canonicalLength, high as canonicalHigh, foundAt as canonicalFound };

/** writeCanonical's answers other than a position: it cannot write the text by copying, or the text is not JSON. */
export const GIVE_UP = -1;
export const BAD = -2;

/**
 * Writes the canonical text of the JSON value at `start` (after whitespace; its bytes before `end`), and notes where
 * the strings at `watching`'s paths were written. The position after the value, or GIVE_UP or BAD.
 */
export function writeCanonical(b: Buffer, start: number, end: number, watching: Watch | null): number {
  budget = end - start;
  if (out.length < budget + 64) out = Buffer.allocUnsafe(Math.max(budget + 64, out.length * 2));
  n = 0;
  high = false;
  const slots = watching?.slots ?? 0;
  if (foundAt.length < slots * 2) foundAt = new Int32Array(slots * 2);
  foundAt.fill(-1);
  const i = ws(b, start, end);
  return i < end ? value(b, i, end, 0, watching?.keys ?? NONE) : BAD;
}

/** writeCanonical of the bytes [start, end), where they are exactly one JSON value (whitespace aside). */
export function writeWhole(b: Buffer, start: number, end: number, watching: Watch | null): boolean {
  const at = writeCanonical(b, start, end, watching);
  return at >= 0 && ws(b, at, end) === end;
}

/** The text writeCanonical wrote last. */
export function canonicalText(): string {
  return out.toString(high ? 'utf8' : 'latin1', 0, n);
}

/** The JSON of the string at watched path `slot` in the text written last, or undefined. */
export function foundJson(slot: number): string | undefined {
  const start = foundAt[slot * 2] as number;
  return start < 0 ? undefined : out.toString('utf8', start, foundAt[slot * 2 + 1]);
}

/**
 * Writes the text written last over the value's bytes [start, after) in `b`, the rest of them spaces (the same value,
 * as JSON.parse reads it); false (nothing written) where the text is longer.
 */
export function copyCanonical(b: Buffer, start: number, after: number): boolean {
  if (n > after - start) return false;
  out.copy(b, start, 0, n);
  b.fill(0x20, start + n, after);
  return true;
}

function ws(b: Buffer, i: number, end: number): number {
  return Math.min(skipWhitespace(b, i), end);
}

const NONE: readonly WatchKey[] = [];

/** Writes the value at `i` (before `end`); the position after it, or GIVE_UP / BAD. `keys`: the watched keys of this object. */
function value(b: Buffer, i: number, end: number, depth: number, keys: readonly WatchKey[]): number {
  const c = b[i];
  if (c === 0x7b) return object(b, i, end, depth, keys);
  if (c === 0x5b) return array(b, i, end, depth);
  if (c === 0x22) return string(b, i, end, -1);
  if (c === 0x74) return word(b, i, end, 'true');
  if (c === 0x66) return word(b, i, end, 'false');
  if (c === 0x6e) return word(b, i, end, 'null');
  return number(b, i, end);
}

function array(b: Buffer, i: number, end: number, depth: number): number {
  out[n++] = 0x5b;
  i = ws(b, i + 1, end);
  if (i < end && b[i] === 0x5d) {
    out[n++] = 0x5d;
    return i + 1;
  }
  for (;;) {
    if (depth > 64) return GIVE_UP;
    if (i >= end) return BAD;
    i = value(b, i, end, depth + 1, NONE);
    if (i < 0) return i;
    i = ws(b, i, end);
    if (i >= end) return BAD;
    const c = b[i++] as number;
    out[n++] = c;
    if (c === 0x5d) return i;
    if (c !== 0x2c) return BAD;
    i = ws(b, i, end);
  }
}

function object(b: Buffer, i: number, end: number, depth: number, keys: readonly WatchKey[]): number {
  out[n++] = 0x7b;
  i = ws(b, i + 1, end);
  if (i < end && b[i] === 0x7d) {
    out[n++] = 0x7d;
    return i + 1;
  }
  const base = openObject();
  const at = members(b, i, end, depth, keys, base);
  closeObject(base);
  return at;
}

function members(b: Buffer, i: number, end: number, depth: number, keys: readonly WatchKey[], base: number): number {
  for (;;) {
    if (i >= end || b[i] !== 0x22) return BAD;
    // Keys are compared with those before them: an object of many keys is left to JSON.parse.
    if (depth > 64 || keysSince(base) >= 64) return GIVE_UP;
    const keyAt = n;
    i = key(b, i, end);
    if (i < 0) return i;
    if (givenBefore(out, base, keyAt, n)) return GIVE_UP;
    i = ws(b, i, end);
    if (i >= end || b[i] !== 0x3a) return BAD;
    out[n++] = 0x3a;
    i = ws(b, i + 1, end);
    if (i >= end) return BAD;
    const watchedKey = keys.length === 0 ? undefined : watched(keys, out, keyAt + 1, n - 2);
    if (watchedKey !== undefined && watchedKey.slot >= 0 && b[i] === 0x22) i = string(b, i, end, watchedKey.slot);
    else i = value(b, i, end, depth + 1, watchedKey?.inner ?? NONE);
    if (i < 0) return i;
    i = ws(b, i, end);
    if (i >= end) return BAD;
    const c = b[i++] as number;
    out[n++] = c;
    if (c === 0x7d) return i;
    if (c !== 0x2c) return BAD;
    i = ws(b, i, end);
  }
}

/** Copies the key whose quote is at `i` (and its quotes); GIVE_UP for a key it cannot copy, BAD for one not JSON. */
function key(b: Buffer, i: number, end: number): number {
  const first = i + 1 < end ? (b[i + 1] as number) : 0;
  // JavaScript puts array-index keys first.
  if (first >= 0x30 && first <= 0x39) return GIVE_UP;
  out[n++] = 0x22;
  for (let k = i + 1; k < end; k++) {
    const c = b[k] as number;
    const kind = IN_STRING[c];
    if (kind === 1) {
      out[n++] = 0x22;
      return k + 1;
    }
    if (kind === 2) return GIVE_UP;
    if (kind === 3) return BAD;
    if (kind === 4) high = true;
    out[n++] = c;
  }
  return BAD;
}

/** Writes the string at `i` (noting where, as watched path `slot`, where slot >= 0). */
function string(b: Buffer, i: number, end: number, slot: number): number {
  const start = n;
  out[n++] = 0x22;
  let k = i + 1;
  for (;;) {
    if (k >= end) return BAD;
    const c = b[k++] as number;
    const kind = IN_STRING[c];
    if (kind === 0) out[n++] = c;
    else if (kind === 1) break;
    else if (kind === 4) {
      high = true;
      out[n++] = c;
    } else if (kind === 3) return BAD;
    else {
      k = writeEscape(b, k, end, out, n);
      if (k < 0) return BAD;
      // A character of two bytes or more in UTF-8 starts with a byte of 0xc0 or more.
      if ((out[n] as number) >= 0x80) high = true;
      n = escapeEnd();
    }
  }
  out[n++] = 0x22;
  if (slot >= 0) {
    foundAt[slot * 2] = start;
    foundAt[slot * 2 + 1] = n;
  }
  return k;
}

function word(b: Buffer, i: number, end: number, word: string): number {
  if (i + word.length > end) return BAD;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return BAD;
  for (let k = 0; k < word.length; k++) out[n++] = word.charCodeAt(k);
  return i + word.length;
}

/** A JSON number, copied where JavaScript writes it back as it is, else written as JSON.stringify writes it. */
function number(b: Buffer, i: number, end: number): number {
  const after = numberEnd(b, i, end);
  if (after < 0) return BAD;
  if (writtenBack(b, i, after)) for (let j = i; j < after; j++) out[n++] = b[j] as number;
  else put(JSON.stringify(Number(b.toString('latin1', i, after))));
  return after;
}

/** Writes text (the output of JSON.stringify of a number: ASCII), keeping room for the rest of the value. */
function put(text: string): void {
  if (out.length < n + text.length + budget + 64) {
    const grown = Buffer.allocUnsafe((n + text.length + budget + 64) * 2);
    out.copy(grown, 0, 0, n);
    out = grown;
  }
  n += out.write(text, n, 'latin1');
}
