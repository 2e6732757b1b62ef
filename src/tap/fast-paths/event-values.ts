// What the events lane writes of an event, taken from where a reader found its members (event-scan.ts) or from the
// text of the simulator's layout (event-text.ts): each string's value and JSON, everything else as JSON text; and the
// JSON of members the schema lacks, as the general path would write them (unknownMembers).
import { relationshipField } from '../engine/records.js';
import { F, FOUND, TEXT, UNKNOWN_SIZE } from './event-scan.js';
import { canonicalText, writeWhole } from './json-canonical.js';

/** What the lane writes of an event, as read from its text: strings' values and JSON, the rest as JSON text. */
export interface EventValues {
  id: string;
  idJson: string;
  /** The timestamp's JSON: `null` or its digits. */
  timestamp: string;
  /** The bytes of `event_properties` (start -1: `null`), and their state (TEXT). */
  propertiesStart: number;
  propertiesEnd: number;
  propertiesText: number;
  /** Where the JSON of each watched string of `event_properties` lies (start, end; -1: none) from `foundAt` on, if read. */
  found: Int32Array | null;
  foundAt: number;
  /** The datetime as sent. */
  datetime: string;
  uuidJson: string;
  metric: string;
  metricJson: string;
  profileJson: string;
  /** The attributes in the order sent: base-4 digits of EVENT_ATTRIBUTES indexes, the first most significant. */
  order: number;
  metricFirst: boolean;
  /** Members the schema lacks (slotUnknown), or null. */
  unknown: Unknown[] | null;
}

/**
 * A member the schema lacks: its name, and its value: the bytes of an attribute's JSON and their state (TEXT), or a
 * relationship's id (a string: `text` 1 where its text is not its value).
 */
export interface Unknown {
  name: string;
  start: number;
  end: number;
  text: number;
  relationship: boolean;
}

/**
 * A string's value, from its bytes in the page (each read alone: a copy of the whole event, for a few short strings,
 * made a young collection every few pages of a pretty-printed layout).
 */
function value(a: Int32Array, at: number, body: Buffer): string {
  const from = a[at] as number;
  const to = a[at + 1] as number;
  return a[at + 2] === 1 ? (JSON.parse(body.toString('utf8', from - 1, to + 1)) as string) : body.toString('latin1', from, to);
}

/** A string's JSON: its text where that is its value, else as JSON.stringify writes it. */
function jsonOf(a: Int32Array, at: number, body: Buffer): string {
  return a[at + 2] === 1 ? JSON.stringify(value(a, at, body)) : body.toString('latin1', (a[at] as number) - 1, (a[at + 1] as number) + 1);
}

/** Names of members the schema lacks, by their bytes: the same few come with every event. */
const names: Array<{ bytes: Buffer; name: string }> = [];

/** The name of a member the schema lacks (at `at`, a string), from the last names seen where it is one of them. */
function nameOf(a: Int32Array, at: number, body: Buffer): string {
  if (a[at + 2] === 1) return value(a, at, body);
  const from = a[at] as number;
  const length = (a[at + 1] as number) - from;
  for (const known of names) {
    if (known.bytes.length !== length) continue;
    let k = 0;
    while (k < length && known.bytes[k] === body[from + k]) k++;
    if (k === length) return known.name;
  }
  const name = value(a, at, body);
  if (names.length === 16) names.shift();
  names.push({ bytes: Buffer.from(name, 'latin1'), name });
  return name;
}

/** What the lane writes of the event in slot `o`. */
export function slotValues(a: Int32Array, o: number, body: Buffer): EventValues {
  const id = value(a, o + F.ID, body);
  const metric = value(a, o + F.METRIC, body);
  const n = a[o + F.UNKNOWN_COUNT] as number;
  const unknown: Unknown[] | null = n === 0 ? null : [];
  for (let u = 0; u < n; u++) {
    const at = o + F.UNKNOWN + u * UNKNOWN_SIZE;
    unknown?.push({ name: nameOf(a, at, body), start: a[at + 3] as number, end: a[at + 4] as number, text: a[at + 5] as number, relationship: a[at + 6] === 1 });
  }
  const timestamp = a[o + F.TIMESTAMP] as number;
  return {
    id,
    idJson: a[o + F.ID + 2] === 1 ? JSON.stringify(id) : `"${id}"`,
    timestamp: timestamp === -1 ? 'null' : body.toString('latin1', timestamp, a[o + F.TIMESTAMP + 1]),
    propertiesStart: a[o + F.PROPERTIES] as number,
    propertiesEnd: a[o + F.PROPERTIES + 1] as number,
    propertiesText: a[o + F.PROPERTIES + 2] as number,
    found: a,
    foundAt: o + FOUND,
    datetime: value(a, o + F.DATETIME, body),
    uuidJson: jsonOf(a, o + F.UUID, body),
    metric,
    metricJson: a[o + F.METRIC + 2] === 1 ? JSON.stringify(metric) : `"${metric}"`,
    profileJson: jsonOf(a, o + F.PROFILE, body),
    order: a[o + F.ORDER] as number,
    metricFirst: a[o + F.METRIC_FIRST] === 1,
    unknown,
  };
}

/** A name JavaScript puts first among an object's keys (an array index). */
const INDEX = /^(?:0|[1-9]\d{0,9})$/;

/**
 * The members the schema lacks, as the general path meets them (flatten puts the attributes first, whichever member
 * the resource sends first): field, JSON of its value, field, ...; undefined where one has a name the record already
 * uses (the general path would overwrite it) or JavaScript puts first (an array index), or a value does not parse.
 */
export function unknownMembers(unknown: readonly Unknown[], body: Buffer, known: ReadonlySet<string>): string[] | undefined {
  const out: string[] = [];
  for (const relationship of [false, true]) {
    for (const u of unknown) {
      if (u.relationship !== relationship) continue;
      const field = relationship ? relationshipField(u.name) : u.name;
      if (known.has(field) || field === '__proto__' || INDEX.test(field) || out.includes(field)) return undefined;
      // A relationship's id is a string (its bytes without the quotes); an attribute's value is any JSON.
      const json = relationship ? stringJson(body, u) : valueJson(body, u.start, u.end, u.text);
      if (json === undefined) return undefined;
      out.push(field, json);
    }
  }
  return out;
}

/** The JSON of a relationship id read as a string (its bytes without the quotes; `text` 1: escaped or non-ASCII). */
function stringJson(body: Buffer, u: Unknown): string | undefined {
  return u.text === 1 ? reparsed(body, u.start - 1, u.end + 1) : `"${body.toString('latin1', u.start, u.end)}"`;
}

/** JSON.stringify(JSON.parse(text)) of the bytes [start, end), or undefined where they are not JSON. */
export function reparsed(body: Buffer, start: number, end: number): string | undefined {
  try {
    return JSON.stringify(JSON.parse(body.toString('utf8', start, end)));
  } catch {
    return undefined;
  }
}

/** The JSON of a value the reader wrote in canonical form (TEXT.LATIN1 or UTF8) or left as sent; undefined: not JSON. */
function valueJson(body: Buffer, start: number, end: number, text: number): string | undefined {
  if (text === TEXT.LATIN1 || text === TEXT.UTF8) return body.toString(text === TEXT.UTF8 ? 'utf8' : 'latin1', start, end);
  if (text === TEXT.AS_SENT) return reparsed(body, start, end);
  return writeWhole(body, start, end, null) ? canonicalText() : reparsed(body, start, end);
}
