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

/** A version-4-shaped UUID. */
export function uuidFrom(...parts: number[]): string {
  const hex = [0, 1, 2, 3].map((i) => hash32(...parts, i).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
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
