// What the events lane writes of an event, taken from where a reader found its members (event-scan.ts) or from the
// text of the simulator's layout (event-text.ts): each string's value and JSON, everything else as JSON text.
import { F, UNKNOWN_SIZE } from './event-scan.js';

/** What the lane writes of an event, as read from its text: strings' values and JSON, the rest as JSON text. */
export interface EventValues {
  id: string;
  idJson: string;
  /** The timestamp's JSON: `null` or its digits. */
  timestamp: string;
  /** The bytes of `event_properties` (start -1: `null`). */
  propertiesStart: number;
  propertiesEnd: number;
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

/** A member the schema lacks: its name, the bytes of its value, and whether it is a relationship's id (a string). */
export interface Unknown {
  name: string;
  start: number;
  end: number;
  special: boolean;
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
function jsonOf(a: Int32Array, at: number, v: string): string {
  return a[at + 2] === 1 ? JSON.stringify(v) : `"${v}"`;
}

/** What the lane writes of the event in slot `o`. */
export function slotValues(a: Int32Array, o: number, body: Buffer): EventValues {
  const id = value(a, o + F.ID, body);
  const metric = value(a, o + F.METRIC, body);
  const properties = a[o + F.PROPERTIES] as number;
  const n = a[o + F.UNKNOWN_COUNT] as number;
  const unknown: Unknown[] | null = n === 0 ? null : [];
  for (let u = 0; u < n; u++) {
    const at = o + F.UNKNOWN + u * UNKNOWN_SIZE;
    unknown?.push({ name: value(a, at, body), start: a[at + 3] as number, end: a[at + 4] as number, special: a[at + 5] === 1, relationship: a[at + 6] === 1 });
  }
  const timestamp = a[o + F.TIMESTAMP] as number;
  return {
    id,
    idJson: jsonOf(a, o + F.ID, id),
    timestamp: timestamp === -1 ? 'null' : body.toString('latin1', timestamp, a[o + F.TIMESTAMP + 1]),
    propertiesStart: properties,
    propertiesEnd: a[o + F.PROPERTIES + 1] as number,
    datetime: value(a, o + F.DATETIME, body),
    uuidJson: jsonOf(a, o + F.UUID, value(a, o + F.UUID, body)),
    metric,
    metricJson: jsonOf(a, o + F.METRIC, metric),
    profileJson: jsonOf(a, o + F.PROFILE, value(a, o + F.PROFILE, body)),
    order: a[o + F.ORDER] as number,
    metricFirst: a[o + F.METRIC_FIRST] === 1,
    unknown,
  };
}
