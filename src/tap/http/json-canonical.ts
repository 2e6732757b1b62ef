// A JSON value's text as JSON.stringify(JSON.parse(text)) writes it, read from its UTF-8 bytes in one pass, without
// building the value (the events lane writes `event_properties` this way: parsing and writing it again took a third
// of an event's CPU in other layouts). It checks the text as JSON.parse does, and keeps the string values found at
// a few paths (for the fields a stream derives from them). Where the answer would take more than copying tokens it
// gives up (undefined) and the caller parses the text:
// - whitespace is dropped; literals, and numbers JavaScript writes back as they are (json-number.ts), are copied;
//   other numbers are written as JSON.stringify writes them;
// - a string without escapes is copied (its bytes are its value; control characters are refused); in one with
//   escapes, each is written as JSON.stringify writes the character (`\/` and `\u00e9` as the character itself,
//   `\u000a` as `\n`, a lone surrogate escaped);
// - an object's members are copied in order; it gives up on a key with an escape, a key starting with a digit
//   (JavaScript puts array-index keys first) and a key given twice (JSON.parse keeps the last value, in the first
//   place), which it cannot write by copying.
import { numberEnd, writtenBack } from './json-number.js';
import { skipWhitespace } from './whitespace.js';
import { watched, type Watch, type WatchKey } from './json-watch.js';

/** Where the text is written: grown as needed, shared (one value is written at a time). */
let out = Buffer.allocUnsafe(64 * 1024);
let n = 0;
let high = false;
/** The string values found at the watched paths. */
let found: Array<string | undefined> = [];

const GIVE_UP = -1;
const BAD = -2;

/**
 * The canonical text of the JSON value in bytes [start, end) and the string values at `watch`'s paths; undefined where
 * it gives up or the text is not one JSON value (the caller's JSON.parse then decides).
 */
export function canonicalJson(b: Buffer, start: number, end: number, watching: Watch | null): { json: string; found: Array<string | undefined> } | undefined {
  if (out.length < (end - start) * 2 + 16) out = Buffer.allocUnsafe((end - start) * 2 + 16);
  n = 0;
  high = false;
  found = new Array<string | undefined>(watching?.slots ?? 0).fill(undefined);
  const at = value(b, ws(b, start, end), end, 0, watching?.keys ?? NONE);
  if (at < 0 || ws(b, at, end) !== end) return undefined;
  return { json: out.toString(high ? 'utf8' : 'latin1', 0, n), found };
}

function ws(b: Buffer, i: number, end: number): number {
  return Math.min(skipWhitespace(b, i), end);
}

const NONE: readonly WatchKey[] = [];

/** Writes the value at `i`; the position after it, or GIVE_UP / BAD. `keys`: the watched keys of this object. */
function value(b: Buffer, i: number, end: number, depth: number, keys: readonly WatchKey[]): number {
  const c = b[i];
  if (c === 0x7b) return object(b, i, end, depth, keys);
  if (c === 0x5b) {
    out[n++] = 0x5b;
    i = ws(b, i + 1, end);
    if (b[i] === 0x5d) {
      out[n++] = 0x5d;
      return i + 1;
    }
    for (;;) {
      if (depth > 64) return GIVE_UP;
      i = value(b, i, end, depth + 1, NONE);
      if (i < 0) return i;
      i = ws(b, i, end);
      out[n++] = b[i] as number;
      if (b[i] === 0x5d) return i + 1;
      if (b[i++] !== 0x2c) return BAD;
      i = ws(b, i, end);
    }
  }
  if (c === 0x22) return string(b, i, end, -1);
  if (c === 0x74) return word(b, i, end, 'true');
  if (c === 0x66) return word(b, i, end, 'false');
  if (c === 0x6e) return word(b, i, end, 'null');
  return number(b, i, end);
}

function object(b: Buffer, i: number, end: number, depth: number, keys: readonly WatchKey[]): number {
  out[n++] = 0x7b;
  i = ws(b, i + 1, end);
  if (b[i] === 0x7d) {
    out[n++] = 0x7d;
    return i + 1;
  }
  const seen: number[] = [];
  for (;;) {
    if (b[i] !== 0x22 || depth > 64) return b[i] === 0x22 ? GIVE_UP : BAD;
    const keyStart = i + 1;
    let k = keyStart;
    for (let c = b[k]; c !== 0x22; c = b[++k]) {
      if (c === undefined || c < 0x20 || k >= end) return BAD;
      if (c === 0x5c) return GIVE_UP;
      if (c >= 0x80) high = true;
    }
    if ((b[keyStart] as number) >= 0x30 && (b[keyStart] as number) <= 0x39) return GIVE_UP;
    // Keys are compared with those before them: an object of many keys is left to JSON.parse.
    if (seen.length > 128 || givenBefore(b, seen, keyStart, k)) return GIVE_UP;
    seen.push(keyStart, k);
    for (let j = i; j <= k; j++) out[n++] = b[j] as number;
    i = ws(b, k + 1, end);
    if (b[i] !== 0x3a) return BAD;
    out[n++] = 0x3a;
    i = ws(b, i + 1, end);
    const key = keys.length === 0 ? undefined : watched(keys, b, keyStart, k);
    if (key !== undefined && key.slot >= 0 && b[i] === 0x22) i = string(b, i, end, key.slot);
    else i = value(b, i, end, depth + 1, key?.inner ?? NONE);
    if (i < 0) return i;
    i = ws(b, i, end);
    const c = b[i++];
    out[n++] = c as number;
    if (c === 0x7d) return i;
    if (c !== 0x2c) return BAD;
    i = ws(b, i, end);
  }
}

/** Whether the key [start, end) is one of the keys (start and end pairs) `seen` before it in its object. */
function givenBefore(b: Buffer, seen: readonly number[], start: number, end: number): boolean {
  for (let s = 0; s < seen.length; s += 2) {
    const from = seen[s] as number;
    if ((seen[s + 1] as number) - from !== end - start) continue;
    let k = 0;
    while (k < end - start && b[from + k] === b[start + k]) k++;
    if (k === end - start) return true;
  }
  return false;
}

/** Writes the string at `i` (keeping its value in `found[slot]` where slot >= 0). */
function string(b: Buffer, i: number, end: number, slot: number): number {
  let k = i + 1;
  let escaped = false;
  for (let c = b[k]; c !== 0x22; c = b[++k]) {
    if (c === undefined || c < 0x20 || k >= end) return BAD;
    if (c === 0x5c) {
      escaped = true;
      k++;
    } else if (c >= 0x80) high = true;
  }
  if (slot >= 0) {
    try {
      found[slot] = escaped ? (JSON.parse(b.toString('utf8', i, k + 1)) as string) : b.toString('utf8', i + 1, k);
    } catch {
      return BAD;
    }
  }
  if (!escaped) {
    for (let j = i; j <= k; j++) out[n++] = b[j] as number;
    return k + 1;
  }
  return unescape(b, i, k) ? k + 1 : BAD;
}

/** The escapes JSON.stringify writes for control characters as themselves (`\b`, `\t`, `\n`, `\f`, `\r`), by code. */
const SHORT: Readonly<Record<number, number>> = { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 };
const HEX_DIGITS = '0123456789abcdef';

/**
 * Writes the string with escapes whose quotes are at `i` and `q` as JSON.stringify writes its value: `\/` and every
 * `\uXXXX` of a character it writes as itself are decoded (UTF-8), the rest written in its own escapes; false where an
 * escape is not JSON.
 */
function unescape(b: Buffer, i: number, q: number): boolean {
  out[n++] = 0x22;
  for (let k = i + 1; k < q; k++) {
    const c = b[k] as number;
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    const e = b[++k] as number;
    if (e === 0x22 || e === 0x5c) escapeOf(e);
    else if (e === 0x2f) out[n++] = 0x2f;
    else if (e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) escapeOf(e);
    else if (e !== 0x75) return false;
    else {
      let cp = hex4(b, k + 1);
      if (cp < 0) return false;
      k += 4;
      // A high surrogate and an escaped low one are one character; a lone one is written escaped.
      if (cp >= 0xd800 && cp <= 0xdbff && b[k + 1] === 0x5c && b[k + 2] === 0x75) {
        const low = hex4(b, k + 3);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          k += 6;
        }
      }
      character(cp);
    }
  }
  out[n++] = 0x22;
  return true;
}

/** Writes `\` and the escape letter `e`. */
function escapeOf(e: number): void {
  out[n++] = 0x5c;
  out[n++] = e;
}

function hex4(b: Buffer, at: number): number {
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const c = b[k] as number;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** A code point as JSON.stringify writes it inside a string. */
function character(cp: number): void {
  const short = SHORT[cp];
  if (cp === 0x22 || cp === 0x5c) escapeOf(cp);
  else if (short !== undefined) escapeOf(short);
  else if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff)) {
    out[n++] = 0x5c;
    out[n++] = 0x75;
    for (const shift of [12, 8, 4, 0]) out[n++] = HEX_DIGITS.charCodeAt((cp >> shift) & 15);
  } else if (cp < 0x80) out[n++] = cp;
  else {
    high = true;
    if (cp < 0x800) out[n++] = 0xc0 | (cp >> 6);
    else {
      if (cp < 0x10000) out[n++] = 0xe0 | (cp >> 12);
      else {
        out[n++] = 0xf0 | (cp >> 18);
        out[n++] = 0x80 | ((cp >> 12) & 63);
      }
      out[n++] = 0x80 | ((cp >> 6) & 63);
    }
    out[n++] = 0x80 | (cp & 63);
  }
}

function word(b: Buffer, i: number, end: number, word: string): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k) || i + k >= end) return BAD;
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

/** Writes text (the output of JSON.stringify) as UTF-8. */
function put(text: string): void {
  if (out.length < n + text.length * 3) {
    const grown = Buffer.allocUnsafe((n + text.length * 3) * 2);
    out.copy(grown, 0, 0, n);
    out = grown;
  }
  const written = out.write(text, n, 'utf8');
  if (written !== text.length) high = true;
  n += written;
}
