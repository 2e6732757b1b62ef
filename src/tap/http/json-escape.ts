// JSON strings byte by byte: what each byte is inside a string, and an escape written as JSON.stringify writes the
// character it stands for (json-canonical.ts): `\/` and `\u00e9` as the character itself (UTF-8), `\u000a` as `\n`,
// `\"` and `\\` as they are, a lone surrogate escaped (lower-case hex), a pair of escaped surrogates as one character.

/** Per byte inside a string: 0 an ordinary byte, 1 `"`, 2 `\`, 3 a control character (not allowed), 4 non-ASCII. */
export const IN_STRING = new Uint8Array(256);
IN_STRING.fill(3, 0, 0x20);
IN_STRING[0x22] = 1;
IN_STRING[0x5c] = 2;
IN_STRING.fill(4, 0x80, 0x100);

/** The escapes JSON.stringify writes for control characters as themselves (`\b`, `\t`, `\n`, `\f`, `\r`), by code. */
const SHORT = new Uint8Array(0x20);
SHORT[8] = 0x62;
SHORT[9] = 0x74;
SHORT[10] = 0x6e;
SHORT[12] = 0x66;
SHORT[13] = 0x72;
const HEX_DIGITS = '0123456789abcdef';

/** Where writeEscape stopped writing. */
let n = 0;

/** The position in the output after the escape writeEscape wrote last. */
export function escapeEnd(): number {
  return n;
}

/**
 * Writes the escape whose letter is at `k` (after its `\`, before `end` in `b`) into `out` at `at`, as JSON.stringify
 * writes the character: the position after the escape in `b`, or -1 where it is not JSON (escapeEnd: the output's).
 * It writes no more bytes than it reads.
 */
export function writeEscape(b: Buffer, k: number, end: number, out: Buffer, at: number): number {
  n = at;
  if (k >= end) return -1;
  const e = b[k++] as number;
  if (e === 0x2f) out[n++] = 0x2f;
  else if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
    out[n++] = 0x5c;
    out[n++] = e;
  } else if (e !== 0x75 || k + 4 > end) return -1;
  else {
    let cp = hex4(b, k);
    if (cp < 0) return -1;
    k += 4;
    // A high surrogate and an escaped low one are one character; a lone one is written escaped.
    if (cp >= 0xd800 && cp <= 0xdbff && k + 6 <= end && b[k] === 0x5c && b[k + 1] === 0x75) {
      const low = hex4(b, k + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        k += 6;
      }
    }
    character(out, cp);
  }
  return k;
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
function character(out: Buffer, cp: number): void {
  if (cp < 0x20 && SHORT[cp] !== 0) {
    out[n++] = 0x5c;
    out[n++] = SHORT[cp] as number;
  } else if (cp === 0x22 || cp === 0x5c) {
    out[n++] = 0x5c;
    out[n++] = cp;
  } else if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff)) {
    out[n++] = 0x5c;
    out[n++] = 0x75;
    for (const shift of [12, 8, 4, 0]) out[n++] = HEX_DIGITS.charCodeAt((cp >> shift) & 15);
  } else if (cp < 0x80) out[n++] = cp;
  else if (cp < 0x800) {
    out[n++] = 0xc0 | (cp >> 6);
    out[n++] = 0x80 | (cp & 63);
  } else if (cp < 0x10000) {
    out[n++] = 0xe0 | (cp >> 12);
    out[n++] = 0x80 | ((cp >> 6) & 63);
    out[n++] = 0x80 | (cp & 63);
  } else {
    out[n++] = 0xf0 | (cp >> 18);
    out[n++] = 0x80 | ((cp >> 12) & 63);
    out[n++] = 0x80 | ((cp >> 6) & 63);
    out[n++] = 0x80 | (cp & 63);
  }
}
