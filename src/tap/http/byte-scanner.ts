// Reading JSON text as its UTF-8 bytes, one token at a time, without building values: where a page's resources
// start and end in any layout (lean-page.ts), and the members a lane takes from a resource (event-scan.ts). Each
// function takes the position of a token and gives the position after it, or -1 where the text is not what it reads.
// - `readString` reads a string whose value is used, checked as JSON.parse checks it (escapes, control characters).
// - `skipValue` passes over a value nothing reads, checking its structure (brackets, colons, commas, numbers,
//   literals) as JSON.parse would; the strings in it are delimited by their quotes, their contents not checked:
//   nothing in them reaches a record (the regex lane before took any link URL but for `"` and `\` alike).
// - `valueEnd` and `structureEnd` only find where a value ends, for text JSON.parse reads afterwards anyway.
// They are plain functions of the bytes and a position (no scanner object), and never read past the end of the
// bytes, even of a truncated body: once a load has read past the end of a buffer, V8 compiles it for that case from
// then on, and reading a page of events took three times as long after the first page whose end was read so.
import { IN_STRING } from './json-escape.js';
import { numberEnd } from './json-number.js';

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
/** JSON's whitespace: space, tab, line feed, carriage return. */
const WHITESPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WHITESPACE[c] = 1;
/** The escapes JSON allows after `\` (`u` is followed by four hex digits). */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** Deeper values are left to JSON.parse (skipValue says no): the checks recurse. */
const MAX_DEPTH = 64;

/** The byte at `i`, or -1 past the end. */
export function at(b: Buffer, i: number): number {
  return i < b.length ? (b[i] as number) : -1;
}

/**
 * The position of the first byte at or after `i` that is not whitespace (the end of `b` if none). Pretty-printed
 * text is mostly indentation: after a line feed, spaces are passed four at a time.
 */
export function ws(b: Buffer, i: number): number {
  const n = b.length;
  while (i < n && WHITESPACE[b[i] as number] === 1) {
    if (b[i++] !== 0x0a) continue;
    while (i + 4 <= n && b[i] === 0x20 && b[i + 1] === 0x20 && b[i + 2] === 0x20 && b[i + 3] === 0x20) i += 4;
  }
  return i;
}

/** Whether the last string readString read holds an escape or a non-ASCII byte (its text is then not its value). */
export let special = false;

/** The string whose quote is at `i`, read and checked as JSON.parse would (sets `special`); -1 where it is not JSON. */
export function readString(b: Buffer, i: number): number {
  const n = b.length;
  let escaped = false;
  i++;
  for (;;) {
    if (i >= n) return -1;
    const kind = IN_STRING[b[i++] as number];
    if (kind === 0) continue;
    if (kind === 1) break;
    escaped = true;
    if (kind === 4) continue;
    if (kind === 3 || i >= n) return -1; // a control character, or the end of the text
    const e = b[i++] as number;
    if (e === 0x75) {
      if (i + 4 > n || HEX[b[i] as number] !== 1 || HEX[b[i + 1] as number] !== 1 || HEX[b[i + 2] as number] !== 1 || HEX[b[i + 3] as number] !== 1) return -1;
      i += 4;
    } else if (ESCAPES[e] !== 1) return -1;
  }
  special = escaped;
  return i;
}

/** The string whose quote is at `i`, passed over by its quotes (to the next one no backslash escapes); -1: none. */
export function passString(b: Buffer, i: number): number {
  for (;;) {
    const q = b.indexOf(QUOTE, i + 1);
    if (q < 0) return -1;
    if (b[q - 1] !== BACKSLASH) return q + 1;
    let e = q - 2;
    while (b[e] === BACKSLASH) e--;
    if ((q - 1 - e) % 2 === 0) return q + 1;
    i = q;
  }
}

/** Whether the bytes [start, end) are `text` (ASCII). */
export function holds(b: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[start + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** After a key that ends before `i`: the position after its `:` and whitespace, or -1. */
export function colon(b: Buffer, i: number): number {
  i = ws(b, i);
  return at(b, i) === 0x3a ? ws(b, i + 1) : -1;
}

/** The first key of the object at `i` (its `{`): its position, or -1 (none: `{}`, or not an object). */
export function firstKey(b: Buffer, i: number): number {
  if (at(b, i) !== OPEN) return -1;
  i = ws(b, i + 1);
  return at(b, i) === QUOTE ? i : -1;
}

/** After a member's value ending before `i`: the position of the next key (after `,`), -2 - the position of the `}`
 * that closes the object, or -1. An object read `for (i = firstKey(b, i); i >= 0; i = nextKey(b, after the value))`
 * ends after that `}` (-1 - i) where it ends well. */
export function nextKey(b: Buffer, i: number): number {
  i = ws(b, i);
  const c = at(b, i);
  if (c === 0x2c) {
    i = ws(b, i + 1);
    return at(b, i) === QUOTE ? i : -1;
  }
  return c === CLOSE ? -2 - i : -1;
}

/** An empty object at `i`: the position after it, else -1. */
export function emptyObject(b: Buffer, i: number): number {
  if (at(b, i) !== OPEN) return -1;
  i = ws(b, i + 1);
  return at(b, i) === CLOSE ? i + 1 : -1;
}

/** Any JSON value at `i` (after whitespace), passed over: its structure checked, its strings delimited. */
export function skipValue(b: Buffer, i: number, depth = 0): number {
  i = ws(b, i);
  const c = at(b, i);
  if (c === QUOTE) return passString(b, i);
  if (c === OPEN) return depth < MAX_DEPTH ? skipObject(b, i, depth) : -1;
  if (c === 0x5b) return depth < MAX_DEPTH ? skipArray(b, i, depth) : -1;
  if (c === 0x74) return word(b, i, 'true');
  if (c === 0x66) return word(b, i, 'false');
  if (c === 0x6e) return word(b, i, 'null');
  return numberEnd(b, i, b.length);
}

function skipObject(b: Buffer, i: number, depth: number): number {
  const empty = emptyObject(b, i);
  if (empty >= 0) return empty;
  for (i = firstKey(b, i); i >= 0; ) {
    i = passString(b, i);
    if (i < 0 || (i = colon(b, i)) < 0) return -1;
    i = skipValue(b, i, depth + 1);
    if (i < 0) return -1;
    i = nextKey(b, i);
  }
  return i === -1 ? -1 : -1 - i;
}

function skipArray(b: Buffer, i: number, depth: number): number {
  i = ws(b, i + 1);
  if (at(b, i) === 0x5d) return i + 1;
  for (;;) {
    i = skipValue(b, i, depth + 1);
    if (i < 0) return -1;
    i = ws(b, i);
    const c = at(b, i++);
    if (c === 0x5d) return i;
    if (c !== 0x2c) return -1;
  }
}

/** The literal `text` at `i`: the position after it, or -1. */
export function word(b: Buffer, i: number, text: string): number {
  if (i + text.length > b.length) return -1;
  for (let k = 0; k < text.length; k++) if (b[i + k] !== text.charCodeAt(k)) return -1;
  return i + text.length;
}

/** The end of the value at `i` (after whitespace), which JSON.parse reads afterwards: not checked. */
export function valueEnd(b: Buffer, i: number): number {
  i = ws(b, i);
  const c = at(b, i);
  if (c === QUOTE || c === OPEN || c === 0x5b) return structureEnd(b, i);
  if (c === 0x74) return word(b, i, 'true');
  if (c === 0x66) return word(b, i, 'false');
  if (c === 0x6e) return word(b, i, 'null');
  return numberEnd(b, i, b.length);
}

/**
 * The end of the value at `i` (an object, array or string) by its brackets and quotes only, without checking its
 * tokens: for text JSON.parse reads afterwards. -1 where the text ends first.
 */
export function structureEnd(b: Buffer, i: number): number {
  const n = b.length;
  let depth = 0;
  while (i < n) {
    const c = b[i] as number;
    if (c === QUOTE) {
      i = passString(b, i);
      if (i < 0 || depth === 0) return i;
      continue;
    }
    i++;
    if (c === OPEN || c === 0x5b) depth++;
    else if (c === CLOSE || c === 0x5d) {
      if (--depth <= 0) return depth === 0 ? i : -1;
    } else if (depth === 0) return -1;
    else if (c === 0x0a) i = ws(b, i);
  }
  return -1;
}
