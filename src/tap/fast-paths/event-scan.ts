// An event resource read from its bytes in any layout (member order, whitespace, escapes, members a newer revision
// adds): where each member the events lane writes lies, as event-lane.ts needs it, kept in one typed array per page
// (no object per event: a page's worth would outlive young collections). The strings it writes are checked as
// JSON.parse checks them; everything else is passed over with its structure checked (skipValue), but for
// `event_properties` and the values of unknown attributes: each is written there and then as JSON.stringify would
// write it (json-canonical.ts) over its own bytes, the rest of them spaces (the page reads as the same JSON to any
// later reader), so that the lane copies it as it lies; one it cannot write so stays as sent, parsed by the lane.
// Any shape the lane cannot write exactly as the general path would (a member given twice, a relationship without
// its data, a timestamp that is not a small integer, more than MAX_UNKNOWN members it does not know, ...) is not
// taken, and the event goes the general way.
import { at, colon, firstKey, holds, nextKey, QUOTE, readString, skipValue, special, valueEnd, word } from '../http/byte-scanner.js';
import { BAD, canonicalFound, canonicalHigh, canonicalLength, copyCanonical, GIVE_UP, writeCanonical } from './json-canonical.js';
import type { Watch } from './json-watch.js';
import { found, has, relationship } from './relationship-scan.js';

/** The attributes the lane writes, by their index in the attribute order (F.ORDER). */
export const EVENT_ATTRIBUTES = ['timestamp', 'event_properties', 'datetime', 'uuid'] as const;

/**
 * Where each thing lies in an event's slot of the array. A string is three numbers: its first byte and the byte
 * after it (without the quotes), and 1 where its text is not its value (an escape or a non-ASCII byte), else 0. A
 * JSON value is three numbers too: its first byte, the byte after it, and its TEXT state.
 */
export const F = {
  ID: 0,
  /** The timestamp's digits (start -1: `null`). */
  TIMESTAMP: 3,
  /** `event_properties`, an object (start -1: `null`). */
  PROPERTIES: 6,
  DATETIME: 9,
  UUID: 12,
  METRIC: 15,
  PROFILE: 18,
  /** The known attributes in the order sent: base-4 digits of EVENT_ATTRIBUTES indexes, the first most significant. */
  ORDER: 21,
  /** Which known attributes were seen (a bit per index). */
  SEEN: 22,
  METRIC_FIRST: 23,
  /**
   * How many members the schema lacks follow, each UNKNOWN_SIZE numbers: its name (a string), its value (an
   * attribute's: a JSON value; a relationship's id: a string), then 1 for a relationship, 0 for an attribute.
   */
  UNKNOWN_COUNT: 24,
  UNKNOWN: 25,
} as const;
export const UNKNOWN_SIZE = 7;
/** Events with more members the schema lacks go the general way. */
export const MAX_UNKNOWN = 4;
/** Then, for each watched path of `event_properties`, where the JSON of its string lies (start -1: none). */
export const FOUND = F.UNKNOWN + MAX_UNKNOWN * UNKNOWN_SIZE;

/**
 * The state of a JSON value's bytes: its canonical text (ASCII, or with UTF-8), or the text as sent, which the lane
 * parses (AS_SENT: the canonical pass gave up on it) or writes in canonical form first (UNREAD: not read yet).
 */
export const TEXT = { LATIN1: 0, UTF8: 1, AS_SENT: 2, UNREAD: 3 } as const;

/**
 * The slots of a page's events, one per resource of `data` (by its index), grown as needed: a lane's PageReader. A
 * page cut quickly (klaviyo-cut.ts) is not read by it; its resources in another layout are read one at a time into
 * slot 0 (`scanOne`).
 */
export class EventSlots {
  /** The numbers of one event. */
  readonly size: number;
  a: Int32Array;
  /** Whether the page's events cut quickly are tried in the simulator's layout first (event-lane.ts). */
  quickText = true;

  /** `watching`: the paths of `event_properties` whose strings the lane writes. */
  constructor(private readonly watching: Watch) {
    this.size = FOUND + 2 * watching.slots;
    this.a = new Int32Array(this.size);
  }

  /** Reads the event at `i` (its `{`) into slot `index`: the position after it, or -1 (not taken). */
  scan(b: Buffer, i: number, index: number): number {
    if ((index + 1) * this.size > this.a.length) {
      const grown = new Int32Array(Math.max(this.a.length * 2, this.size * 1024));
      grown.set(this.a);
      this.a = grown;
    }
    return scanEvent(b, i, this.a, index * this.size, this.watching);
  }

  /** Reads the event whose bytes are [start, end) into slot 0 (only where no page scan used the slots). */
  scanOne(body: Buffer, start: number, end: number): boolean {
    return scanEvent(body, start, this.a, 0, this.watching) === end;
  }
}

/** Puts the string [start, end) (its quotes included) at `at` (three numbers). */
function put(a: Int32Array, at: number, start: number, end: number): void {
  a[at] = start + 1;
  a[at + 1] = end - 1;
  a[at + 2] = special ? 1 : 0;
}

function scanEvent(b: Buffer, i: number, a: Int32Array, o: number, watching: Watch): number {
  a.fill(-1, o, o + F.ORDER);
  a[o + F.ORDER] = 0;
  a[o + F.SEEN] = 0;
  a[o + F.METRIC_FIRST] = 0;
  a[o + F.UNKNOWN_COUNT] = 0;
  a.fill(-1, o + FOUND, o + FOUND + 2 * watching.slots);
  let members = 0;
  for (i = firstKey(b, i); i >= 0; ) {
    // A key with an escape may stand for a member the lane reads: such resources go the general way.
    const key = i;
    i = readString(b, i);
    if (i < 0 || special) return -1;
    const bit = holds(b, key + 1, i - 1, 'id') ? 1 : holds(b, key + 1, i - 1, 'attributes') ? 2 : holds(b, key + 1, i - 1, 'relationships') ? 4 : 0;
    i = colon(b, i);
    if (i < 0 || members & bit) return -1;
    members |= bit;
    if (bit === 1) {
      const id = i;
      if (at(b, i) !== QUOTE || (i = readString(b, i)) < 0) return -1;
      put(a, o + F.ID, id, i);
    } else i = bit === 2 ? attributes(b, i, a, o, watching) : bit === 4 ? relationships(b, i, a, o) : skipValue(b, i);
    if (i < 0) return -1;
    i = nextKey(b, i);
  }
  if (i === -1 || members !== 7 || a[o + F.SEEN] !== 15 || a[o + F.METRIC] === -1 || a[o + F.PROFILE] === -1) return -1;
  return -1 - i;
}

/** The index of a known attribute named [start, end) (not escaped), or -1. */
function knownAttribute(b: Buffer, start: number, end: number): number {
  if (holds(b, start, end, 'timestamp')) return 0;
  if (holds(b, start, end, 'event_properties')) return 1;
  if (holds(b, start, end, 'datetime')) return 2;
  return holds(b, start, end, 'uuid') ? 3 : -1;
}

function attributes(b: Buffer, i: number, a: Int32Array, o: number, watching: Watch): number {
  for (i = firstKey(b, i); i >= 0; ) {
    const nameStart = i + 1;
    i = readString(b, i);
    if (i < 0) return -1;
    const nameSpecial = special ? 1 : 0;
    const k = special ? -1 : knownAttribute(b, nameStart, i - 1);
    const nameEnd = i - 1;
    i = colon(b, i);
    if (i < 0) return -1;
    if (k < 0) {
      const n = a[o + F.UNKNOWN_COUNT] as number;
      if (n === MAX_UNKNOWN) return -1;
      const u = o + F.UNKNOWN + n * UNKNOWN_SIZE;
      a[u] = nameStart;
      a[u + 1] = nameEnd;
      a[u + 2] = nameSpecial;
      a[u + 6] = 0;
      a[o + F.UNKNOWN_COUNT] = n + 1;
      i = canonicalValue(b, i, a, u + 3, null, 0);
    } else {
      if ((a[o + F.SEEN] as number) & (1 << k)) return -1;
      a[o + F.SEEN] = (a[o + F.SEEN] as number) | (1 << k);
      a[o + F.ORDER] = (a[o + F.ORDER] as number) * 4 + k;
      i = attribute(b, i, a, o, k, watching);
    }
    if (i < 0) return -1;
    i = nextKey(b, i);
  }
  // An empty object has no known attribute: not taken.
  return i === -1 ? -1 : -1 - i;
}

/**
 * The JSON value at `i` written in canonical form over its own bytes, its place and TEXT state at `at` (and where the
 * strings at `watching`'s paths lie, from `foundAt` on): the position after it, or -1 where it is not JSON. Where that
 * takes more than copying tokens (json-canonical.ts), it stays as sent (TEXT.AS_SENT), parsed when it is written.
 */
function canonicalValue(b: Buffer, i: number, a: Int32Array, at: number, watching: Watch | null, foundAt: number): number {
  const after = writeCanonical(b, i, b.length, watching);
  if (after === BAD) return -1;
  a[at] = i;
  if (after === GIVE_UP || !copyCanonical(b, i, after)) {
    a[at + 1] = valueEnd(b, i);
    a[at + 2] = TEXT.AS_SENT;
    return a[at + 1] as number;
  }
  a[at + 1] = i + canonicalLength;
  a[at + 2] = canonicalHigh ? TEXT.UTF8 : TEXT.LATIN1;
  for (let slot = 0; slot < (watching?.slots ?? 0); slot++) {
    const start = canonicalFound[slot * 2] as number;
    if (start < 0) continue;
    a[foundAt + slot * 2] = i + start;
    a[foundAt + slot * 2 + 1] = i + (canonicalFound[slot * 2 + 1] as number);
  }
  return after;
}

/** The value of known attribute `k` (EVENT_ATTRIBUTES) at `i`, in the forms the lane writes: the position after it. */
function attribute(b: Buffer, i: number, a: Int32Array, o: number, k: number, watching: Watch): number {
  const start = i;
  const c = at(b, i);
  if (k === 0) {
    if (c === 0x6e) return word(b, i, 'null');
    // An integer of at most 15 digits, not -0: JSON.stringify writes its number as it is sent.
    const first = c === 0x2d ? start + 1 : start;
    i = first;
    while (at(b, i) >= 0x30 && at(b, i) <= 0x39) i++;
    const next = at(b, i);
    if (i === first || i - first > 15 || (b[first] === 0x30 && i - start > 1) || next === 0x2e || next === 0x65 || next === 0x45) return -1;
    a[o + F.TIMESTAMP] = start;
    a[o + F.TIMESTAMP + 1] = i;
    return i;
  }
  if (k === 1) {
    if (c === 0x6e) return word(b, i, 'null');
    return c === 0x7b ? canonicalValue(b, i, a, o + F.PROPERTIES, watching, o + FOUND) : -1;
  }
  if (c !== QUOTE || (i = readString(b, i)) < 0) return -1;
  put(a, o + (k === 2 ? F.DATETIME : F.UUID), start, i);
  return i;
}

function relationships(b: Buffer, i: number, a: Int32Array, o: number): number {
  for (i = firstKey(b, i); i >= 0; ) {
    const nameStart = i + 1;
    i = readString(b, i);
    const nameEnd = i - 1;
    if (i < 0 || special || (i = colon(b, i)) < 0 || (i = relationship(b, i)) < 0) return -1;
    const metric = holds(b, nameStart, nameEnd, 'metric');
    if (metric || holds(b, nameStart, nameEnd, 'profile')) {
      const at = o + (metric ? F.METRIC : F.PROFILE);
      if (!has || a[at] !== -1) return -1;
      a.set(found, at);
      if (metric && a[o + F.PROFILE] === -1) a[o + F.METRIC_FIRST] = 1;
    } else if (has) {
      const n = a[o + F.UNKNOWN_COUNT] as number;
      if (n === MAX_UNKNOWN) return -1;
      const u = o + F.UNKNOWN + n * UNKNOWN_SIZE;
      a[u] = nameStart;
      a[u + 1] = nameEnd;
      a[u + 2] = 0;
      a.set(found, u + 3);
      a[u + 6] = 1;
      a[o + F.UNKNOWN_COUNT] = n + 1;
    }
    i = nextKey(b, i);
  }
  return i === -1 ? -1 : -1 - i;
}
