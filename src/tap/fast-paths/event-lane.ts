// The events lane: an event's record written straight from where scanEvent found its members in the page's bytes,
// in the order and form the general path gives (flatten, the stream's derived fields, the shaper, JSON.stringify),
// for about half the CPU of an event. Exact, in any layout, because:
// - Every member it writes was read by scanEvent, and everything it did not read was checked there as JSON.parse
//   would; `event_properties` and the values of unknown members are parsed here (JSON.parse checks them).
// - A string without escapes or non-ASCII bytes is its own JSON text (control characters are refused by the scan);
//   any other is decoded by JSON.parse and written by JSON.stringify, as the general path does.
// - The timestamp is an integer of at most 15 digits (no `-0`): JSON.stringify writes its number as it is sent.
// - `event_properties` is written as sent where JSON.stringify would write it back the same (WRITTEN_BACK), else as
//   JSON.stringify writes it.
// - The datetime is rewritten by commonZ, as the shaper's compiled check does; other forms go the general way.
// - Fields come in the general path's order: id, the attributes as sent, the relationships' ids as sent, then the
//   derived fields. Members the schema lacks are kept in `_overflow` (or dropped) as the shaper does, and reported
//   through it (RenderedRecord.unknown); a name the record already has goes the general way.
import type { JsonSchema, SingerRecord } from '../singer/messages.js';
import { RenderedRecord } from '../engine/records.js';
import type { Lane } from '../engine/stream-types.js';
import { commonMicros, commonZ } from '../shared/time.js';
import { EVENT_ATTRIBUTES, EventSlots, TEXT } from './event-scan.js';
import { textValues } from './event-text.js';
import { reparsed, slotValues, unknownMembers, type EventValues } from './event-values.js';
import { canonicalText, foundJson, writeWhole } from './json-canonical.js';
import { watch, type Watch } from './json-watch.js';
import type { Page } from '../http/paginate.js';

/**
 * A field the stream adds to each event's record (after flatten): from its metric id (and the page), or from its
 * properties: the first of `paths` (one or two keys each) that holds a string, else null (propertyAt).
 */
export type Derived = { field: string; types: readonly string[] } & (
  | { from: 'metric'; value(metricId: unknown, page: Page): unknown }
  | { from: 'properties'; paths: ReadonlyArray<readonly string[]> }
);

/** The first of `paths` in `properties` that holds a string, else null: a properties-derived field's value. */
export function propertyAt(properties: unknown, paths: ReadonlyArray<readonly string[]>): string | null {
  for (const path of paths) {
    let at: unknown = properties;
    for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
    if (typeof at === 'string') return at;
  }
  return null;
}

/** The fields the lane writes from the event itself, and the JSON types it writes in each. */
const OWN_TYPES: Readonly<Record<string, readonly string[]>> = {
  id: ['string'],
  timestamp: ['integer', 'null'],
  event_properties: ['object', 'null'],
  datetime: ['string'],
  uuid: ['string'],
  metric_id: ['string'],
  profile_id: ['string'],
};

/**
 * The lane for records shaped to `schema` (the schema sent), or null where the schema does not take what it writes.
 * `known`: every field of the stream's full schema; `derived`: what the stream adds, in the order it adds it.
 */
export function eventLane(schema: JsonSchema, known: ReadonlySet<string>, derived: readonly Derived[]): Lane | null {
  const props = schema['properties'] as Record<string, JsonSchema> | undefined;
  const types = { ...OWN_TYPES, ...Object.fromEntries(derived.map((d) => [d.field, d.types])) };
  if (props === undefined || !lanesWrite(props, types)) return null;
  const has = (field: string): boolean => field in props;
  const paths = derived.filter((d) => has(d.field)).flatMap((d) => (d.from === 'properties' ? d.paths : []));
  const w: LaneWrites = {
    attributes: EVENT_ATTRIBUTES.map((name) => (has(name) ? `,"${name}":` : null)),
    metricId: has('metric_id'),
    profileId: has('profile_id'),
    adds: derived.filter((d) => has(d.field)),
    paths,
    keepsOverflow: has('_overflow'),
    known,
    byMetric: metricCache(),
    watch: watch(paths),
  };
  return {
    newReader: () => new EventSlots(w.watch),
    write: (reader, index, body, page, start, end, read) => {
      const slots = reader as EventSlots;
      if (read) return writeEvent(w, slotValues(slots.a, index * slots.size, body), body, page);
      // A page cut quickly: in the simulator's layout, else read now. A compact page in another layout (members in
      // another order, added ones) is cut too: once an event of it is not in the simulator's layout, the rest of the
      // page is read without trying that layout first (a copy and a failed match per event).
      let values = slots.quickText ? textValues(body.toString('latin1', start, end), start) : null;
      if (values === null) {
        slots.quickText = false;
        values = slots.scanOne(body, start, end) ? slotValues(slots.a, 0, body) : null;
      }
      return values === null ? undefined : writeEvent(w, values, body, page);
    },
  };
}

/** What a lane writes: the attributes' keys (null: not selected), which ids and derived fields, whether `_overflow`. */
interface LaneWrites {
  attributes: ReadonlyArray<string | null>;
  metricId: boolean;
  profileId: boolean;
  adds: readonly Derived[];
  /** The paths of the properties-derived fields, in order (their values: Watch slots). */
  paths: ReadonlyArray<readonly string[]>;
  watch: Watch;
  keepsOverflow: boolean;
  known: ReadonlySet<string>;
  byMetric: (d: Derived & { from: 'metric' }, metric: string, page: Page) => string;
}

/** The JSON of a metric-derived field by metric id, for the page last read (a page holds events of few metrics). */
function metricCache(): LaneWrites['byMetric'] {
  let cachedFor: Page | null = null;
  const caches = new Map<Derived, Map<string, string>>();
  return (d, metric, page) => {
    if (cachedFor !== page) {
      cachedFor = page;
      caches.clear();
    }
    let cache = caches.get(d);
    if (cache === undefined) caches.set(d, (cache = new Map()));
    let json = cache.get(metric);
    if (json === undefined) cache.set(metric, (json = JSON.stringify(d.value(metric, page))));
    return json;
  };
}

/** The JSON of the string at each watched path of the last `event_properties` written (properties()), or undefined. */
let foundJsons: Array<string | undefined> = [];

/** `event_properties` as JSON.stringify writes it, the JSON of its strings at the watched paths in foundJsons; undefined: not JSON. */
function properties(w: LaneWrites, v: EventValues, body: Buffer): string | undefined {
  const slots = w.paths.length;
  if (foundJsons.length !== slots) foundJsons = new Array<string | undefined>(slots);
  foundJsons.fill(undefined);
  const { propertiesStart: start, propertiesEnd: end, propertiesText: text } = v;
  if (start === -1) return 'null';
  if (text === TEXT.LATIN1 || text === TEXT.UTF8) {
    // Written in canonical form as the page was read, where its strings lie.
    const found = v.found as Int32Array;
    for (let slot = 0; slot < slots; slot++) {
      const at = found[v.foundAt + slot * 2] as number;
      if (at >= 0) foundJsons[slot] = body.toString('utf8', at, found[v.foundAt + slot * 2 + 1]);
    }
    return body.toString(text === TEXT.UTF8 ? 'utf8' : 'latin1', start, end);
  }
  if (text === TEXT.UNREAD && writeWhole(body, start, end, w.watch)) {
    for (let slot = 0; slot < slots; slot++) foundJsons[slot] = foundJson(slot);
    return canonicalText();
  }
  // What the canonical pass gives up on (a key given twice, an array-index key, ...), or text that is not JSON.
  const json = reparsed(body, start, end);
  if (json === undefined) return undefined;
  const parsed = JSON.parse(json) as unknown;
  w.paths.forEach((path, slot) => {
    const found = propertyAt(parsed, [path]);
    foundJsons[slot] = found === null ? undefined : JSON.stringify(found);
  });
  return json;
}

/** The record of an event (see the header), or undefined: the general path. */
function writeEvent(w: LaneWrites, v: EventValues, body: Buffer, page: Page): RenderedRecord | undefined {
  const micros = commonMicros(v.datetime);
  if (Number.isNaN(micros)) return undefined;
  const props = properties(w, v, body);
  if (props === undefined) return undefined;
  const overflow = v.unknown === null ? null : unknownMembers(v.unknown, body, w.known);
  if (overflow === undefined) return undefined;
  let out = `{"id":${v.idJson}`;
  for (let k = 3; k >= 0; k--) {
    const attribute = Math.floor(v.order / 4 ** k) % 4;
    const key = w.attributes[attribute];
    if (key === null || key === undefined) continue;
    if (attribute === 0) out += key + v.timestamp;
    else if (attribute === 1) out += key + props;
    else if (attribute === 2) out += `${key}"${commonZ(v.datetime)}"`;
    else out += key + v.uuidJson;
  }
  const metricJson = w.metricId ? `,"metric_id":${v.metricJson}` : '';
  const profileJson = w.profileId ? `,"profile_id":${v.profileJson}` : '';
  out += v.metricFirst ? metricJson + profileJson : profileJson + metricJson;
  let slot = 0;
  for (const d of w.adds) {
    if (d.from === 'metric') {
      out += `,"${d.field}":${w.byMetric(d, v.metric, page)}`;
      continue;
    }
    let found: string | undefined;
    for (let k = 0; k < d.paths.length; k++, slot++) found ??= foundJsons[slot];
    out += `,"${d.field}":${found ?? 'null'}`;
  }
  const fields: SingerRecord = { id: v.id, datetime: v.datetime, metric_id: v.metric };
  if (overflow === null) return new RenderedRecord(fields, micros, `${out}}`);
  const names: string[] = [];
  let kept = '';
  for (let i = 0; i < overflow.length; i += 2) {
    names.push(overflow[i] as string);
    if (w.keepsOverflow) kept += `${i === 0 ? ',"_overflow":{' : ','}${JSON.stringify(overflow[i])}:${overflow[i + 1] ?? ''}`;
  }
  return new RenderedRecord(fields, micros, kept === '' ? `${out}}` : `${out}${kept}}}`, names, kept === '' ? 0 : kept.length + 1);
}

/**
 * Whether the schema takes what the lane writes, as written: each field allowing the types the lane writes in it,
 * with no keyword that could refuse or rewrite a value; `datetime` with `format: date-time`, whose value the lane
 * rewrites as the shaper does.
 */
function lanesWrite(props: Record<string, JsonSchema>, types: Readonly<Record<string, readonly string[]>>): boolean {
  const allows = (field: string, want: readonly string[]): boolean => {
    const schema = props[field];
    if (schema === undefined) return true;
    const type = Array.isArray(schema['type']) ? (schema['type'] as unknown[]) : [schema['type']];
    if (!want.every((t) => type.includes(t))) return false;
    return Object.keys(schema).every((key) => key === 'type' || key === 'description' || (key === 'format' && field === 'datetime' && schema[key] === 'date-time'));
  };
  const datetime = props['datetime'];
  if (datetime !== undefined && datetime['format'] !== 'date-time') return false;
  return props['id'] !== undefined && Object.entries(types).every(([field, want]) => allows(field, want));
}
