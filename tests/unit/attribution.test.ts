// Events name the message that caused them: `$message`/`$flow` on message events, `$attribution` on conversions.
import assert from 'node:assert/strict';
import { Events } from '../../src/streams/events.js';
import type { Resource } from '../../src/tap/http/json-api.js';
import type { Page } from '../../src/tap/http/paginate.js';
import type { StreamRuntime } from '../../src/tap/engine/stream-types.js';

const stream = new Events();
const page: Page = { data: [], included: new Map(), url: '/api/events', hasNext: false };
const ALL = new Set(['id', 'attributed_message_id', 'attributed_flow_id']);

function record(properties: unknown, selected: ReadonlySet<string> = ALL): Record<string, unknown> {
  const resource: Resource = { type: 'event', id: 'e1', attributes: { event_properties: properties } };
  const rt = { selected } as unknown as StreamRuntime;
  const [out] = stream.toRecords(resource, page, { context: {}, pathParams: {} }, rt);
  return { message: out?.['attributed_message_id'], flow: out?.['attributed_flow_id'] };
}

describe('event attribution fields', () => {
  const cases: Array<[string, unknown, { message: unknown; flow: unknown }]> = [
    ['a flow email event', { $message: 'M1', $flow: 'F1', Subject: 'Hi' }, { message: 'M1', flow: 'F1' }],
    ['a campaign email event (no $flow)', { $message: 'M2', 'Campaign Name': 'Sale' }, { message: 'M2', flow: null }],
    ['an order credited to a flow message', { $value: 10, $attribution: { $message: 'M3', $flow: 'F3', $attributed_channel: 'email' } }, { message: 'M3', flow: 'F3' }],
    ['an order credited to nothing', { $value: 10 }, { message: null, flow: null }],
    ['an email event without a message', { $message: null }, { message: null, flow: null }],
    ['non-string values', { $message: 12, $attribution: 'x' }, { message: null, flow: null }],
    ['no event_properties', null, { message: null, flow: null }],
  ];
  for (const [label, properties, expected] of cases) {
    it(label, () => assert.deepEqual(record(properties), expected));
  }

  it('leaves the fields out when they are not selected', () => {
    assert.deepEqual(record({ $message: 'M1', $flow: 'F1' }, new Set(['id'])), { message: undefined, flow: undefined });
  });
});
