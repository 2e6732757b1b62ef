// https://developers.klaviyo.com/en/reference/get_events
import type { Resource } from '../tap/http/http.js';
import { LINKS_SOURCE } from '../tap/http/body.js';
import { decodeLatin1 } from '../tap/http/lean-page.js';
import type { JsonSchema, SingerRecord } from '../tap/messages.js';
import type { Page } from '../tap/http/paginate.js';
import { flatten, RenderedRecord } from '../tap/records.js';
import { KlaviyoStream, type Lane, type Partition, type StreamRuntime } from '../tap/stream.js';
import { commonMicros, commonZ } from '../tap/time.js';

/** Every event of every metric, with its metric and profile ids (and the metric's name when selected). */
export class Events extends KlaviyoStream {
  readonly name: string = 'events';
  readonly path = '/api/events';
  readonly description: string = 'Every event of every metric, with metric_id, profile_id, metric_name and attributed message/flow';
  override readonly replicationKey = 'datetime';
  override readonly lateArriving = true;
  override readonly extraFields = {
    metric_name: { type: ['string', 'null'], description: "The event's metric name" },
    attributed_message_id: {
      type: ['string', 'null'],
      description: 'Campaign or flow message the event is about or credited to ($message)',
    },
    attributed_flow_id: {
      type: ['string', 'null'],
      description: 'Flow of that message ($flow)',
    },
  };

  /** `metric_name` comes from the sideloaded metric, asked for only when that field is selected. */
  override params(rt: StreamRuntime): Record<string, string> {
    return rt.selected.has('metric_name') ? { include: 'metric', 'fields[metric]': 'name' } : {};
  }

  override toRecords(resource: Resource, page: Page, _partition: Partition, rt: StreamRuntime): SingerRecord[] {
    const record = flatten(resource);
    if (rt.selected.has('metric_name')) record['metric_name'] = metricName(page, record['metric_id']);
    for (const field in ATTRIBUTION) {
      if (rt.selected.has(field)) record[field] = attributed(record['event_properties'], ATTRIBUTION[field as keyof typeof ATTRIBUTION]);
    }
    return [record];
  }

  /**
   * Events written straight from their text: an event in Klaviyo's layout (EVENT_TEXT) is read by one regular
   * expression, its properties parsed only for the attribution fields (and to prove them JSON), and its record
   * written by joining the texts, in the order and form the general path gives (flatten, then the shaper): about
   * half the CPU of an event. Exact, because the match pins every member of the resource:
   * - Every string it writes from the text is printable ASCII without `"` or `\`, so its text is its value and
   *   its JSON. The `links` are matched whole (body.ts LINKS_SOURCE) and not written.
   * - The timestamp is an integer of at most 15 digits (no `-0`): JSON.stringify writes its number the same way.
   * - `event_properties` is what lies between its key and the only place the rest of the pattern fits (the rest
   *   holds a fixed number of `"`, none inside its strings). It is used only if it parses alone, so it is exactly
   *   one JSON value, which the whole text reads the same way. It is written as sent where JSON.stringify would
   *   write it back the same (WRITTEN_BACK), else as JSON.stringify writes it (a newline in it fails the match).
   * - The datetime is rewritten by commonUtc, as the shaper's compiled check does; other forms go the general way.
   * Anything else (another layout, `data` of to-many relationships, escapes in ids, a field's schema the lane does
   * not write for) goes the general way.
   */
  override lane(_rt: StreamRuntime, schema: JsonSchema): Lane | null {
    const props = schema['properties'] as Record<string, JsonSchema> | undefined;
    if (props === undefined || !laneWrites(props)) return null;
    const has = new Set(Object.keys(props));
    const [timestamp, properties, datetime, uuid, metricId, profileId, name, message, flow] = LANE_ORDER.map((field) => has.has(field));
    // The JSON of metric_name by metric id, for the page last read (a page holds events of few metrics).
    let namesOf: Page | null = null;
    const names = new Map<string, string>();
    const nameJson = (page: Page, metric: string): string => {
      if (namesOf !== page) {
        namesOf = page;
        names.clear();
      }
      let json = names.get(metric);
      if (json === undefined) names.set(metric, (json = JSON.stringify(metricName(page, metric))));
      return json;
    };
    return (piece, page) => {
      const m = EVENT_TEXT.exec(piece);
      if (m === null) return undefined;
      const sent = m[4] as string;
      const micros = commonMicros(sent);
      if (Number.isNaN(micros)) return undefined;
      // Read as Latin-1: non-ASCII properties are decoded (the match keeps ids and datetimes ASCII).
      const propsText = decodeLatin1(m[3] as string);
      let parsed: unknown;
      try {
        parsed = JSON.parse(propsText);
      } catch {
        return undefined;
      }
      const metricFirst = m[6] !== undefined;
      const metric = (metricFirst ? m[6] : m[9]) as string;
      const profile = (metricFirst ? m[7] : m[8]) as string;
      let json = `{"id":"${m[1] as string}"`;
      if (timestamp) json += `,"timestamp":${m[2] as string}`;
      if (properties) json += `,"event_properties":${WRITTEN_BACK.test(propsText) ? propsText : JSON.stringify(parsed)}`;
      // As the shaper's compiled check writes it (commonUtc).
      if (datetime) json += `,"datetime":"${commonZ(sent)}"`;
      if (uuid) json += `,"uuid":"${m[5] as string}"`;
      const metricJson = metricId ? `,"metric_id":"${metric}"` : '';
      const profileJson = profileId ? `,"profile_id":"${profile}"` : '';
      json += metricFirst ? metricJson + profileJson : profileJson + metricJson;
      if (name) json += `,"metric_name":${nameJson(page, metric)}`;
      if (message) json += `,"attributed_message_id":${JSON.stringify(attributed(parsed, '$message'))}`;
      if (flow) json += `,"attributed_flow_id":${JSON.stringify(attributed(parsed, '$flow'))}`;
      return new RenderedRecord({ id: m[1], datetime: sent, metric_id: metric }, micros, `${json}}`);
    };
  }
}

/** The name of the event's metric, from the sideloaded metrics. */
function metricName(page: Page, metricId: unknown): string | null {
  const name = page.included.get(`metric:${String(metricId)}`)?.attributes?.['name'];
  return typeof name === 'string' ? name : null;
}

/** The contents of a JSON string whose text is its value: printable ASCII without `"` and `\`. */
const PLAIN = '([ !#-\\[\\]-~]*)';
const related = (name: string): string => `"${name}":\\{"data":\\{"type":"${name}","id":"${PLAIN}"\\},${LINKS_SOURCE}\\}`;
/**
 * An event's text as Klaviyo lays it out. Groups: 1 id, 2 timestamp, 3 event_properties, 4 datetime, 5 uuid,
 * then the metric and profile ids: 6 and 7 when the metric comes first, else 8 (profile) and 9 (metric).
 */
const EVENT_TEXT = new RegExp(
  `^\\{"type":"event","id":"${PLAIN}","attributes":\\{"timestamp":(0|-?[1-9]\\d{0,14}|null),"event_properties":(\\{[^\\n\\r]*?\\}|null),` +
    `"datetime":"${PLAIN}","uuid":"${PLAIN}"\\},"relationships":\\{(?:${related('metric')},${related('profile')}|${related('profile')},${related('metric')}),` +
    `"attributions":\\{${LINKS_SOURCE}\\}\\},${LINKS_SOURCE}\\}$`,
);

/** A JSON number JavaScript writes back as it is: at most 15 significant digits, no exponent, no `-0`, no trailing 0. */
const CANONICAL_NUMBER =
  '(?:-(?=[1-9]|0\\.))?(?:0(?:\\.0{0,5}[1-9](?:\\d{0,8}[1-9])?)?|[1-9]\\d{0,5}(?:\\.\\d{0,7}[1-9])?|[1-9]\\d{6,14})(?![\\d.eE+-])';
/**
 * JSON text that JSON.stringify(JSON.parse(text)) writes back as it is (but for a duplicate key, which it drops):
 * tokens only, no whitespace; strings without escapes (raw non-ASCII is written back as it is); numbers as above; no
 * key starting with a digit (JavaScript puts integer keys first). A `:` stands only after a key, so a number or
 * string is always read whole.
 */
const WRITTEN_BACK = new RegExp(`^(?:"(?:[^"\\\\\\d][^"\\\\]*)?":|"[^"\\\\]*"|[{}[\\],]|true|false|null|${CANONICAL_NUMBER})*$`);

/** The fields the lane may write after `id`, in the general path's order, and the JSON types it writes in each. */
const LANE_TYPES: Readonly<Record<string, readonly string[]>> = {
  timestamp: ['integer', 'null'],
  event_properties: ['object', 'null'],
  datetime: ['string'],
  uuid: ['string'],
  metric_id: ['string'],
  profile_id: ['string'],
  metric_name: ['string', 'null'],
  attributed_message_id: ['string', 'null'],
  attributed_flow_id: ['string', 'null'],
};
const LANE_ORDER = Object.keys(LANE_TYPES);

/**
 * Whether the schema takes what the lane writes, as written: `id` a string, each other lane field allowing the
 * types the lane writes in it, with no keyword that could refuse or rewrite a value; `datetime` with `format:
 * date-time`, whose value the lane rewrites as the shaper does.
 */
function laneWrites(props: Record<string, JsonSchema>): boolean {
  const allows = (field: string, types: readonly string[]): boolean => {
    const schema = props[field];
    if (schema === undefined) return true;
    const type = Array.isArray(schema['type']) ? (schema['type'] as unknown[]) : [schema['type']];
    if (!types.every((t) => type.includes(t))) return false;
    return Object.keys(schema).every((key) => key === 'type' || key === 'description' || (key === 'format' && field === 'datetime' && schema[key] === 'date-time'));
  };
  const datetime = props['datetime'];
  if (datetime !== undefined && datetime['format'] !== 'date-time') return false;
  return props['id'] !== undefined && allows('id', ['string']) && Object.entries(LANE_TYPES).every(([field, types]) => allows(field, types));
}

/** Record field -> the event property Klaviyo records it in. */
const ATTRIBUTION = { attributed_message_id: '$message', attributed_flow_id: '$flow' } as const;

/**
 * A message event (Received/Opened/Clicked Email, ...) names its message at the top of its properties; a conversion
 * Klaviyo credits to a message (Placed Order) names it inside `$attribution`.
 */
function attributed(properties: unknown, key: string): string | null {
  if (typeof properties !== 'object' || properties === null) return null;
  const own = (properties as Record<string, unknown>)[key];
  if (typeof own === 'string') return own;
  const credit = (properties as Record<string, unknown>)['$attribution'];
  const value = typeof credit === 'object' && credit !== null ? (credit as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : null;
}
