// Reading JSON text as its UTF-8 bytes, one token at a time, without building values: where a page's resources
// start and end in any layout (lean-page.ts), and the members a lane takes from a resource (event-scan.ts).
// - `string` reads a string whose value is used, checked as JSON.parse checks it (escapes, control characters).
// - `skip` passes over a value nothing reads, checking its structure (brackets, colons, commas, numbers, literals)
//   as JSON.parse would; the strings in it are delimited by their quotes, their contents not checked: nothing in them
//   reaches a record (the regex lane before took any link URL but for `"` and `\` alike).
// - `extent` and `skipStructure` only find where a value ends, for text JSON.parse reads afterwards anyway.

import { numberEnd } from './json-number.js';
import { skipWhitespace } from './whitespace.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Per byte inside a string: 0 an ordinary byte, 1 `"`, 2 `\`, 3 a control character (not allowed), 4 non-ASCII. */
const IN_STRING = new Uint8Array(256);
IN_STRING.fill(3, 0, 0x20);
IN_STRING[QUOTE] = 1;
IN_STRING[BACKSLASH] = 2;
IN_STRING.fill(4, 0x80, 0x100);
/** The escapes JSON allows after `\` (`u` is followed by four hex digits). */
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** Per byte outside strings, for skipStructure: 1 `"`, 2 an opening bracket, 3 a closing one. */
const STRUCTURE = new Uint8Array(256);
STRUCTURE[QUOTE] = 1;
STRUCTURE[0x7b] = 2;
STRUCTURE[0x5b] = 2;
STRUCTURE[0x7d] = 3;
STRUCTURE[0x5d] = 3;
/** Deeper values are left to JSON.parse (skip says no): the checks recurse. */
const MAX_DEPTH = 64;

export class ByteScanner {
  /** The position: the next byte to read. */
  i = 0;
  /** Where the last string read starts (its opening quote). */
  from = 0;
  /** Whether the last string read holds an escape or a non-ASCII byte (its text is then not its value). */
  special = false;

  constructor(readonly b: Buffer) {}

  /** The byte at the position (undefined past the end). */
  peek(): number | undefined {
    return this.b[this.i];
  }

  /** Skips whitespace, then takes `byte` if it is there. */
  take(byte: number): boolean {
    let c = this.b[this.i];
    if (c !== byte) {
      if (c === undefined || c > 0x20) return false;
      this.ws();
      c = this.b[this.i];
      if (c !== byte) return false;
    }
    this.i++;
    return true;
  }

  ws(): void {
    this.i = skipWhitespace(this.b, this.i);
  }

  /** A string at the position (after whitespace), passed over; false where there is none or it is not valid JSON. */
  string(): boolean {
    this.ws();
    const b = this.b;
    if (b[this.i] !== QUOTE) return false;
    let i = this.i + 1;
    let special = false;
    for (;;) {
      const kind = IN_STRING[b[i++] as number];
      if (kind === 0) continue;
      if (kind === 1) break;
      if (kind === 4) special = true;
      else if (kind === 2) {
        special = true;
        const escaped = b[i++] as number;
        if (escaped === 0x75) {
          if (!(HEX[b[i] as number] && HEX[b[i + 1] as number] && HEX[b[i + 2] as number] && HEX[b[i + 3] as number])) return false;
          i += 4;
        } else if (!ESCAPES.has(escaped)) return false;
      } else return false; // a control character, or the end of the text (undefined)
    }
    this.from = this.i;
    this.i = i;
    this.special = special;
    return true;
  }

  /** Whether the last string read is exactly `key` (written without escapes). */
  was(key: string): boolean {
    return !this.special && this.holds(this.from + 1, this.i - 1, key);
  }

  /** Whether the bytes [start, end) are `text` (ASCII). */
  holds(start: number, end: number, text: string): boolean {
    if (end - start !== text.length) return false;
    for (let k = 0; k < text.length; k++) if (this.b[start + k] !== text.charCodeAt(k)) return false;
    return true;
  }

  /** Any JSON value at the position (after whitespace), passed over: its structure checked, its strings delimited. */
  skip(depth = 0): boolean {
    this.ws();
    const c = this.b[this.i];
    if (c === QUOTE) return this.pass();
    if (c === 0x7b || c === 0x5b) return depth < MAX_DEPTH && (c === 0x7b ? this.skipObject(depth) : this.skipArray(depth));
    if (c === 0x74) return this.word('true');
    if (c === 0x66) return this.word('false');
    if (c === 0x6e) return this.word('null');
    return this.number();
  }

  /** The string at the position (its quote), passed over by its quotes: to the next one no backslash escapes. */
  pass(): boolean {
    const b = this.b;
    let i = this.i + 1;
    for (;;) {
      const q = b.indexOf(QUOTE, i);
      if (q < 0) return false;
      let e = q - 1;
      while (b[e] === BACKSLASH) e--;
      i = q + 1;
      if ((q - 1 - e) % 2 === 0) break;
    }
    this.i = i;
    return true;
  }

  private skipObject(depth: number): boolean {
    this.i++;
    if (this.take(0x7d)) return true;
    do {
      this.ws();
      if (this.b[this.i] !== QUOTE || !this.pass() || !this.take(0x3a) || !this.skip(depth + 1)) return false;
    } while (this.take(0x2c));
    return this.take(0x7d);
  }

  private skipArray(depth: number): boolean {
    this.i++;
    if (this.take(0x5d)) return true;
    do {
      if (!this.skip(depth + 1)) return false;
    } while (this.take(0x2c));
    return this.take(0x5d);
  }

  private word(word: string): boolean {
    for (let k = 0; k < word.length; k++) if (this.b[this.i + k] !== word.charCodeAt(k)) return false;
    this.i += word.length;
    return true;
  }

  /** A JSON number (json-number.ts), passed over. */
  number(): boolean {
    const end = numberEnd(this.b, this.i, this.b.length);
    if (end < 0) return false;
    this.i = end;
    return true;
  }

  /** The end of the value at the position (after whitespace), which JSON.parse reads afterwards: not checked. */
  extent(): boolean {
    this.ws();
    const c = this.b[this.i];
    if (c === QUOTE || c === 0x7b || c === 0x5b) return this.skipStructure();
    if (c === 0x74) return this.word('true');
    if (c === 0x66) return this.word('false');
    if (c === 0x6e) return this.word('null');
    return this.number();
  }

  /**
   * Passes over the value at the position (an object, array or string) by its brackets and quotes only, without
   * checking its tokens: for text JSON.parse reads afterwards. False where the text ends first.
   */
  skipStructure(): boolean {
    this.ws();
    const b = this.b;
    const n = b.length;
    let i = this.i;
    if (STRUCTURE[b[i] as number] !== 1 && STRUCTURE[b[i] as number] !== 2) return false;
    let depth = 0;
    while (i < n) {
      const kind = STRUCTURE[b[i++] as number];
      if (kind === 0) {
        if (b[i] === 0x20) i = skipWhitespace(b, i);
        continue;
      }
      if (kind === 1) {
        // To the next quote that no backslash escapes (an even run of them before it).
        for (;;) {
          const q = b.indexOf(QUOTE, i);
          if (q < 0) return false;
          let e = q - 1;
          while (b[e] === BACKSLASH) e--;
          i = q + 1;
          if ((q - 1 - e) % 2 === 0) break;
        }
        if (depth === 0) break;
      } else if (kind === 2) depth++;
      else if (--depth === 0) break;
    }
    if (depth !== 0) return false;
    this.i = i;
    return true;
  }
}
