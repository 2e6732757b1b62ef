// Klaviyo-looking identifiers, all derived from hashes so they are stable for a seed.
import { hash32 } from './rng.js';

/** In ASCII order, so fixed-width strings sort like the numbers they encode. */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const UPPER_ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function base62(value: number, width: number): string {
  let out = '';
  let rest = Math.floor(value);
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

export function fromBase62(text: string): number | null {
  let value = 0;
  for (const ch of text) {
    const digit = BASE62.indexOf(ch);
    if (digit < 0) return null;
    value = value * 62 + digit;
  }
  return value;
}

function charsFrom(alphabet: string, length: number, ...parts: number[]): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[hash32(...parts, i) % alphabet.length];
  return out;
}

/** Six mixed-case characters, like list, metric, segment and template ids (`Y6nRLr`). */
export function shortId(...parts: number[]): string {
  return charsFrom(BASE62.slice(10), 1, ...parts, 99) + charsFrom(BASE62, 5, ...parts);
}

/** Six upper-case characters, like flow ids (`XVTP5Q`). */
export function upperId(...parts: number[]): string {
  return charsFrom(UPPER_ALNUM.slice(10), 1, ...parts, 99) + charsFrom(UPPER_ALNUM, 5, ...parts);
}

/** A 26-character ULID whose time part is `ms` (profile and campaign ids). */
export function ulid(ms: number, ...parts: number[]): string {
  let time = '';
  let rest = Math.floor(ms);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  return time + charsFrom(CROCKFORD, 16, ...parts);
}

/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex8(value: number): string {
  return (HEX[value >>> 24] ?? '') + (HEX[(value >>> 16) & 255] ?? '') + (HEX[(value >>> 8) & 255] ?? '') + (HEX[value & 255] ?? '');
}

/**
 * A version-4-shaped UUID: the hex of four hashes `a b c d`, cut as `a-b[0:4]-4b[5:8]-ac[1:4]-c[4:8]d` (a UUID is
 * rendered per event, so without building the 32 digits and slicing them).
 */
export function uuidFrom(...parts: number[]): string {
  const b = hex8(hash32(...parts, 1));
  const c = hex8(hash32(...parts, 2));
  return `${hex8(hash32(...parts, 0))}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(1, 4)}-${c.slice(4)}${hex8(hash32(...parts, 3))}`;
}

/** Digits only (flow action and image ids). */
export function numericId(length: number, ...parts: number[]): string {
  return String(1 + (hash32(...parts, 7) % 9)) + charsFrom('0123456789', length - 1, ...parts);
}

/** Issues ids and retries on the (rare) collision, so every id in the world is unique. */
export class IdIssuer {
  private readonly used = new Set<string>();

  issue(make: (attempt: number) => string): string {
    for (let attempt = 0; ; attempt++) {
      const id = make(attempt);
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}
