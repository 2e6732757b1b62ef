// An event resource read from its bytes in any layout (member order, whitespace, escapes, members a newer revision
// adds): where each member the events lane writes lies, as event-lane.ts needs it, kept in one typed array per page
// (no object per event: a page's worth would outlive young collections). The strings it writes are checked as
// JSON.parse checks them; `event_properties` and the values of unknown attributes are parsed by the lane; everything
// else is passed over with its structure checked (ByteScanner.skip).
// Any shape the lane cannot write exactly as the general path would (a member given twice, a relationship without
// its data, a timestamp that is not a small integer, more than MAX_UNKNOWN members it does not know, ...) is not
// taken, and the event goes the general way.
import { ByteScanner } from './byte-scanner.js';

const OPEN = 0x7b;
const CLOSE = 0x7d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** The attributes the lane writes, by their index in the attribute order (F.ORDER). */
export const EVENT_ATTRIBUTES = ['timestamp', 'event_properties', 'datetime', 'uuid'] as const;

/**
 * Where each thing lies in an event's slot of the array. A string is three numbers: its first byte and the byte
 * after it (without the quotes), and 1 where its text is not its value (an escape or a non-ASCII byte), else 0.
 */
export const F = {
  ID: 0,
  /** The timestamp's digits (start -1: `null`). */
  TIMESTAMP: 3,
  /** `event_properties`, an object's bytes (start -1: `null`). */
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
   * attribute's bytes, special 1; a relationship's id, a string), then 1 for a relationship, 0 for an attribute.
   */
  UNKNOWN_COUNT: 24,
  UNKNOWN: 25,
} as const;
export const UNKNOWN_SIZE = 7;
/** Events with more members the schema lacks go the general way. */
export const MAX_UNKNOWN = 4;
export const SLOT = F.UNKNOWN + MAX_UNKNOWN * UNKNOWN_SIZE;

/**
 * The slots of a page's events, one per resource of `data` (by its index), grown as needed: a lane's PageReader. A
 * page cut quickly (klaviyo-cut.ts) is not read by it; its resources in another layout are read one at a time into
 * the last slot (`scanOne`).
 */
export class EventSlots {
  a = new Int32Array(SLOT);

  /** Reads the event at the scanner's position into slot `index`, leaving the scanner after it; false: not taken. */
  scan(s: ByteScanner, index: number): boolean {
    if ((index + 1) * SLOT > this.a.length) {
      const grown = new Int32Array(Math.max(this.a.length * 2, SLOT * 1024));
      grown.set(this.a);
      this.a = grown;
    }
    return scanEvent(s, this.a, index * SLOT);
  }

  /** Reads the event whose bytes are [start, end) into slot 0 (only where no page scan used the slots). */
  scanOne(body: Buffer, start: number, end: number): boolean {
    const s = new ByteScanner(body);
    s.i = start;
    return scanEvent(s, this.a, 0) && s.i === end;
  }
}

/** Puts the string just read at `at` (three numbers). */
function put(s: ByteScanner, a: Int32Array, at: number): void {
  a[at] = s.from + 1;
  a[at + 1] = s.i - 1;
  a[at + 2] = s.special ? 1 : 0;
}

function scanEvent(s: ByteScanner, a: Int32Array, o: number): boolean {
  a.fill(-1, o, o + F.ORDER);
  a[o + F.ORDER] = 0;
  a[o + F.SEEN] = 0;
  a[o + F.METRIC_FIRST] = 0;
  a[o + F.UNKNOWN_COUNT] = 0;
  s.ws();
  if (!s.take(OPEN)) return false;
  let members = 0;
  do {
    // A key with an escape may stand for a member the lane reads: such resources go the general way.
    if (!s.string() || s.special) return false;
    const bit = s.was('id') ? 1 : s.was('attributes') ? 2 : s.was('relationships') ? 4 : 0;
    if (!s.take(COLON) || members & bit) return false;
    members |= bit;
    const ok = bit === 1 ? s.string() && (put(s, a, o + F.ID), true) : bit === 2 ? attributes(s, a, o) : bit === 4 ? relationships(s, a, o) : s.skip();
    if (!ok) return false;
  } while (s.take(COMMA));
  if (!s.take(CLOSE) || members !== 7 || a[o + F.SEEN] !== 15 || a[o + F.METRIC] === -1 || a[o + F.PROFILE] === -1) return false;
  return true;
}

/** The index of a known attribute named by the string just read, or -1. */
function knownAttribute(s: ByteScanner): number {
  if (s.was('timestamp')) return 0;
  if (s.was('event_properties')) return 1;
  if (s.was('datetime')) return 2;
  return s.was('uuid') ? 3 : -1;
}

function attributes(s: ByteScanner, a: Int32Array, o: number): boolean {
  if (!s.take(OPEN)) return false;
  if (s.take(CLOSE)) return true;
  do {
    if (!s.string()) return false;
    const k = knownAttribute(s);
    const nameStart = s.from + 1;
    const nameEnd = s.i - 1;
    const nameSpecial = s.special ? 1 : 0;
    if (!s.take(COLON)) return false;
    if (k < 0) {
      s.ws();
      const start = s.i;
      // Parsed when the record is written (JSON.parse checks it then).
      if (!s.extent() || !unknown(a, o, nameStart, nameEnd, nameSpecial, start, s.i, 1, 0)) return false;
      continue;
    }
    if ((a[o + F.SEEN] as number) & (1 << k)) return false;
    a[o + F.SEEN] = (a[o + F.SEEN] as number) | (1 << k);
    a[o + F.ORDER] = (a[o + F.ORDER] as number) * 4 + k;
    if (!attribute(s, a, o, k)) return false;
  } while (s.take(COMMA));
  return s.take(CLOSE);
}

/** Notes a member the schema lacks: its name (a string) and its value (bytes; for a relationship, its id: a string). */
function unknown(a: Int32Array, o: number, nameStart: number, nameEnd: number, nameSpecial: number, start: number, end: number, special: number, relationship: number): boolean {
  const n = a[o + F.UNKNOWN_COUNT] as number;
  if (n === MAX_UNKNOWN) return false;
  const at = o + F.UNKNOWN + n * UNKNOWN_SIZE;
  a[at] = nameStart;
  a[at + 1] = nameEnd;
  a[at + 2] = nameSpecial;
  a[at + 3] = start;
  a[at + 4] = end;
  a[at + 5] = special;
  a[at + 6] = relationship;
  a[o + F.UNKNOWN_COUNT] = n + 1;
  return true;
}

/** The value of known attribute `k` (EVENT_ATTRIBUTES), in the forms the lane writes. */
function attribute(s: ByteScanner, a: Int32Array, o: number, k: number): boolean {
  s.ws();
  const start = s.i;
  const isNull = s.peek() === 0x6e;
  if (k === 0) {
    if (isNull) return s.skip();
    // An integer of at most 15 digits, not -0: JSON.stringify writes its number as it is sent.
    if (!s.number()) return false;
    const first = s.b[start] === 0x2d ? start + 1 : start;
    const digits = s.i - first;
    if (digits > 15 || (s.b[first] === 0x30 && s.i - start > 1)) return false;
    for (let i = first; i < s.i; i++) if ((s.b[i] as number) < 0x30 || (s.b[i] as number) > 0x39) return false;
    a[o + F.TIMESTAMP] = start;
    a[o + F.TIMESTAMP + 1] = s.i;
    return true;
  }
  if (k === 1) {
    if (isNull || s.peek() !== OPEN) return isNull && s.skip();
    if (!s.skipStructure()) return false;
    a[o + F.PROPERTIES] = start;
    a[o + F.PROPERTIES + 1] = s.i;
    return true;
  }
  if (!s.string()) return false;
  put(s, a, o + (k === 2 ? F.DATETIME : F.UUID));
  return true;
}

/** Where relationship() leaves the id it found. */
const found = new Int32Array(3);

function relationships(s: ByteScanner, a: Int32Array, o: number): boolean {
  if (!s.take(OPEN)) return false;
  if (s.take(CLOSE)) return true;
  do {
    if (!s.string()) return false;
    const nameStart = s.from + 1;
    const nameEnd = s.i - 1;
    if (s.special || !s.take(COLON)) return false;
    const has = relationship(s);
    if (has < 0) return false;
    const metric = s.holds(nameStart, nameEnd, 'metric');
    if (metric || s.holds(nameStart, nameEnd, 'profile')) {
      const at = o + (metric ? F.METRIC : F.PROFILE);
      if (has === 0 || a[at] !== -1) return false;
      a.set(found, at);
      if (metric && a[o + F.PROFILE] === -1) a[o + F.METRIC_FIRST] = 1;
    } else if (has === 1 && !unknown(a, o, nameStart, nameEnd, 0, found[0] as number, found[1] as number, found[2] as number, 1)) return false;
  } while (s.take(COMMA));
  return s.take(CLOSE);
}

/**
 * A relationship object: 1 where its data is one resource with a string id (left in `found`), 0 where it has none
 * (no data, null, a list), -1 where it is not read (anything else: flatten would take `undefined` of it).
 */
function relationship(s: ByteScanner): number {
  if (!s.take(OPEN)) return -1;
  if (s.take(CLOSE)) return 0;
  let has = -1;
  do {
    if (!s.string() || s.special) return -1;
    const isData = s.was('data');
    if (!s.take(COLON)) return -1;
    if (!isData) {
      if (!s.skip()) return -1;
      continue;
    }
    if (has >= 0) return -1;
    s.ws();
    const c = s.peek();
    if (c === 0x6e || c === 0x5b) {
      if (!s.skip()) return -1;
      has = 0;
    } else if (c === OPEN && identifier(s)) has = 1;
    else return -1;
  } while (s.take(COMMA));
  return s.take(CLOSE) ? Math.max(has, 0) : -1;
}

/** `{"type": ..., "id": "..."}` (other members checked and passed over): whether it has a string id (into `found`). */
function identifier(s: ByteScanner): boolean {
  s.i++;
  let id = false;
  if (s.take(CLOSE)) return false;
  do {
    if (!s.string() || s.special) return false;
    const isId = s.was('id');
    if (!s.take(COLON)) return false;
    if (!isId) {
      if (!s.skip()) return false;
      continue;
    }
    if (id || !s.string()) return false;
    found[0] = s.from + 1;
    found[1] = s.i - 1;
    found[2] = s.special ? 1 : 0;
    id = true;
  } while (s.take(COMMA));
  return s.take(CLOSE) && id;
}
