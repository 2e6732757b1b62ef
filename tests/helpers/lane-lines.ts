// Events and pages of events for tests of the events lane, and the lines a page gives by the lane (where it takes an
// event) and by the general path (parse, toRecords, the shaper, JSON.stringify).
import assert from 'node:assert/strict';
import { parseJsonApiBody } from '../../src/tap/http/body.js';
import type { Resource } from '../../src/tap/http/json-api.js';
import { LeanResources, parseJsonApiPage, type PageReader } from '../../src/tap/http/lean-page.js';
import { toPage, type Page } from '../../src/tap/http/paginate.js';
import { schemaProperties, streamSchema } from '../../src/tap/singer/catalog.js';
import { RenderedRecord } from '../../src/tap/engine/records.js';
import { selectStreams } from '../../src/tap/singer/selection.js';
import type { StreamRuntime } from '../../src/tap/engine/stream-types.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { Events } from '../../src/streams/events.js';
import { API } from './api-event.js';

export const events = new Events();
export const ALL = schemaProperties(streamSchema(events));

export type Rel = Record<string, unknown>;
export const links = (path: string, related = true): Rel => ({ self: `${API}/${path}/`, ...(related ? { related: `${API}/${path}/x/` } : {}) });

/** An event as Klaviyo lays it out (or another order of its relationships, or other data in them). */
export function event(id: string, attributes: Record<string, unknown>, options: { profileFirst?: boolean; relationships?: Record<string, Rel> } = {}): Rel {
  const metric: Rel = { data: { type: 'metric', id: 'M1' }, links: links(`events/${id}/relationships/metric`) };
  const profile: Rel = { data: { type: 'profile', id: `P-${id}` }, links: links(`events/${id}/relationships/profile`) };
  const attributions: Rel = { links: links(`events/${id}/relationships/attributions`) };
  const relationships = options.relationships ?? (options.profileFirst ? { profile, metric, attributions } : { metric, profile, attributions });
  return { type: 'event', id, attributes, relationships, links: links(`events/${id}`, false) };
}

export const base = (props: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  timestamp: 1730419398,
  event_properties: props,
  datetime: '2024-11-01T00:03:18+00:00',
  uuid: '2e48b079-521f-4a5b-a116-852ae9b5827f',
  ...extra,
});

export function pageBody(resources: Rel[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      data: resources,
      links: { self: `${API}/events`, next: `${API}/events?page%5Bcursor%5D=abc` },
      included: [{ type: 'metric', id: 'M1', attributes: { name: 'Placed Order — ünï' }, links: links('metrics/M1', false) }],
    }),
  );
}

/** The lines (and what select reads) of one page, by the lane where it takes an event, and by the general path. */
export function lines(body: Buffer, selected: Set<string>, useLane: boolean): { json: string[]; laned: string[]; fields: Array<[unknown, unknown, number | null]> } {
  const [s] = selectStreams([events], new Map([['events', selected]]));
  if (!s) throw new Error('not selected');
  const rt = { selected: s.selected } as unknown as StreamRuntime;
  const general = (resource: Resource, page: Page): string[] =>
    events.toRecords(resource, page, { context: {}, pathParams: {} }, rt).map((r) => JSON.stringify(s.shaper.fit(r)));
  const out = { json: [] as string[], laned: [] as string[], fields: [] as Array<[unknown, unknown, number | null]> };
  if (!useLane) {
    const page = toPage(parseJsonApiBody(body) as never, 'u');
    for (const resource of page.data) {
      out.json.push(...general(resource, page));
      const record = events.toRecords(resource, page, { context: {}, pathParams: {} }, rt)[0] ?? {};
      out.fields.push([record['id'], record['metric_id'], typeof record['datetime'] === 'string' ? toMicros(record['datetime']) : null]);
    }
    return out;
  }
  const lane = events.lane(rt, s.schema);
  assert.ok(lane, 'the events schema takes the lane');
  const page = toPage(parseJsonApiPage(body, 0, lane.newReader) as never, 'u');
  const resources = page.resources;
  const items = resources instanceof LeanResources && resources.reader ? resources.read((index, bytes, start, end, read) => lane.write(resources.reader as PageReader, index, bytes, page, start, end, read)) : page.data;
  for (const item of items) {
    if (item instanceof RenderedRecord) {
      out.laned.push(String(item.fields['id']));
      out.json.push(item.text());
      out.fields.push([item.fields['id'], item.fields['metric_id'], item.value]);
    } else {
      out.json.push(...general(item, page));
      const record = events.toRecords(item, page, { context: {}, pathParams: {} }, rt)[0] ?? {};
      out.fields.push([record['id'], record['metric_id'], typeof record['datetime'] === 'string' ? toMicros(record['datetime']) : null]);
    }
  }
  return out;
}

