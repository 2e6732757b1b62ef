// Names looked up in the account (src/tap/account/account-names.ts): a metric under its current or an earlier name, several
// metrics of one name, the conversion metric (set or default, by name or id, a stand-in when the default is absent),
// the checks before any stream starts (one warning per case, a config error for a name the user set), and the engine
// rule that a stream receiving resources and making no record warns once.
import assert from 'node:assert/strict';
import nock from 'nock';
import { MetricEvents } from '../../src/streams/metric_events.js';
import { allStreams } from '../../src/streams/registry.js';
import { AccountNames, checkAccountNames, namesOf, type MetricEntry } from '../../src/tap/account/account-names.js';
import { discover } from '../../src/tap/singer/catalog.js';
import { ConfigError } from '../../src/tap/shared/errors.js';
import { setLogSink } from '../../src/tap/shared/log.js';
import type { TapConfig } from '../../src/tap/config/config.js';
import type { StreamRuntime } from '../../src/tap/engine/stream-types.js';
import { BASE } from '../helpers/fake-klaviyo.js';
import { BASE_CONFIG, catalogSelecting, runTap } from '../helpers/run-tap.js';
import { answerScopeCheck } from '../helpers/scope-check.js';

const m = (id: string, name: string, created = '2024-01-01T00:00:00+00:00', integration = 'Klaviyo'): MetricEntry => ({ id, name, created, integration });

const ACCOUNT = new AccountNames([
  m('RCV', 'Received Email'),
  m('UNS', 'Unsubscribed'),
  m('PO2', 'Placed Order', '2025-03-01T00:00:00+00:00', 'WooCommerce'),
  m('PO1', 'Placed Order', '2023-05-01T00:00:00+00:00', 'Shopify'),
  m('VP', 'Viewed Product'),
  m('SMS', 'Received SMS'),
]);

async function logged(action: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  await action();
  return lines;
}

/** WARN lines, but the revision's (it depends on the date the test runs on). */
const warnLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('WARN') && !l.startsWith('WARN revision '));

const runtime = (names: AccountNames): Pick<StreamRuntime, 'client' | 'memo'> => ({ client: undefined as never, memo: (async () => names) as StreamRuntime['memo'] });
const config = (extra: Partial<TapConfig> = {}): TapConfig => ({ ...BASE_CONFIG, ...extra }) as unknown as TapConfig;

describe('account names', () => {
  after(() => setLogSink((line) => process.stderr.write(`${line}\n`)));

  it('a name is looked up as itself, then the other names of its rename chain, newest first', () => {
    assert.deepEqual(namesOf('Unsubscribed from Email Marketing'), ['Unsubscribed from Email Marketing', 'Unsubscribed']);
    assert.deepEqual(namesOf('Unsubscribed from SMS'), ['Unsubscribed from SMS', 'Unsubscribed from Text Messaging Marketing', 'Unsubscribed from SMS Marketing']);
    assert.deepEqual(namesOf('Opened Email'), ['Opened Email']);
  });

  it('finds a metric under its earlier name, every metric of a name (oldest first), or none', () => {
    assert.deepEqual(ACCOUNT.metric('Unsubscribed from Email Marketing'), { matched: 'Unsubscribed', ids: ['UNS'] });
    assert.deepEqual(ACCOUNT.metric('Received Text Message'), { matched: 'Received SMS', ids: ['SMS'] });
    assert.deepEqual(ACCOUNT.metric('Placed Order'), { matched: 'Placed Order', ids: ['PO1', 'PO2'] });
    assert.deepEqual(ACCOUNT.metric('Opened Email'), { matched: null, ids: [] });
  });

  it('the conversion metric: by name (the oldest of several), by id, under an earlier name; a stand-in or none for an absent default', () => {
    assert.deepEqual(ACCOUNT.conversion({}), { id: 'PO1', name: 'Placed Order', counted: true });
    assert.deepEqual(ACCOUNT.conversion({ conversion_metric: 'PO2' }), { id: 'PO2', name: 'Placed Order', counted: true });
    assert.deepEqual(ACCOUNT.conversion({ conversion_metric: 'Unsubscribed from Email Marketing' }), { id: 'UNS', name: 'Unsubscribed', counted: true });
    const noOrders = new AccountNames([m('VP', 'Viewed Product', '2022-01-01'), m('RCV', 'Received Email', '2024-01-01')]);
    assert.deepEqual(noOrders.conversion({}), { id: 'RCV', name: 'Received Email', counted: false });
    assert.deepEqual(new AccountNames([m('B', 'Active on Site', '2024'), m('A', 'Viewed Product', '2022')]).conversion({}), { id: 'A', name: 'Viewed Product', counted: false });
    assert.equal(new AccountNames([]).conversion({}), null);
  });

  it('a conversion metric the user set and the account lacks is a config error naming the close names', () => {
    assert.throws(
      () => ACCOUNT.conversion({ conversion_metric: 'Placed Orders' }),
      (err: unknown) => err instanceof ConfigError && err.field === 'conversion_metric' && /^config: conversion_metric "Placed Orders" is no metric of this account; set conversion_metric to one of its metric names \(e\.g\. "Placed Order"\) or a metric id/.test(err.message),
    );
    assert.deepEqual(ACCOUNT.closeNames('Viewed Products'), ['Viewed Product']);
    assert.deepEqual(ACCOUNT.closeNames('Email Received'), ['Received Email', 'Received SMS']);
  });

  it('before the streams: a metric_streams name the account lacks throws; absent built-in metrics are one warning; an earlier name is logged', async () => {
    const streams = allStreams({ orders: 'Placed Order', nothing: 'Never Seen' });
    await assert.rejects(checkAccountNames(streams, config(), runtime(ACCOUNT)), (err: unknown) => err instanceof ConfigError && /^config: metric_streams\.nothing "Never Seen" is no metric of this account/.test(err.message));
    const lines = await logged(() => checkAccountNames(allStreams({ orders: 'Placed Order' }), config(), runtime(ACCOUNT)));
    const warnings = lines.filter((l) => l.startsWith('WARN'));
    assert.equal(warnings.length, 2, lines.join('\n'));
    assert.match(warnings[0] ?? '', /^WARN streams open, click, bounce, dropped_email, mark_as_spam: the account has no metric named "Opened Email", "Clicked Email", "Bounced Email", "Dropped Email", "Marked Email as Spam"/);
    assert.match(warnings[1] ?? '', /^WARN conversion_metric: 2 metrics are named "Placed Order" \(PO1 \(Shopify, created 2023-05-01\); PO2 \(WooCommerce, created 2025-03-01\)\); the reports count the oldest, PO1/);
    assert.ok(lines.some((l) => l.startsWith('INFO stream unsubscribe: metric "Unsubscribed from Email Marketing" found under its earlier name "Unsubscribed"')));
    assert.ok(lines.some((l) => l.startsWith('INFO stream orders: 2 metrics are named "Placed Order" (one per integration)')));
  });

  it('nothing is looked up when no selected stream needs a name', async () => {
    const lines = await logged(() => checkAccountNames(allStreams().filter((s) => !(s instanceof MetricEvents) && !s.needsConversionMetric && s.name !== 'metric_aggregates'), config(), { client: undefined as never, memo: () => Promise.reject(new Error('read')) }));
    assert.deepEqual(lines, []);
  });
});

describe('a stream that receives resources and makes no record (nock)', () => {
  before(() => nock.disableNetConnect());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('warns once per run, naming the stream, the endpoint and the count', async () => {
    // Profiles without the suppressions global_exclusions reads (as if the field had moved in a newer revision).
    const page = { data: [{ type: 'profile', id: 'P1', attributes: { email: 'a@example.com' }, links: { self: `${BASE}/api/profiles/P1` } }], links: { self: `${BASE}/api/profiles` } };
    const check = answerScopeCheck(BASE, ['global_exclusions']);
    const scope = nock(BASE).get('/api/profiles').query(true).times(5).reply(200, page, { 'Content-Type': 'application/vnd.api+json' });
    const run = await runTap({ config: BASE_CONFIG, catalog: catalogSelecting(discover(allStreams()) as never, ['global_exclusions']) });
    check.done();
    assert.equal(run.code, 0, run.stderr);
    scope.done();
    const warnings = warnLines(run.stderr);
    assert.deepEqual(warnings.map((l) => l.replace(/\(revision [^)]+\)/, '(revision R)')), [
      'WARN stream global_exclusions: 5 resource(s) received from /api/profiles and none became a record: the response may be laid out differently than this tap reads it (revision R); please report it',
    ]);
    assert.equal(run.records('global_exclusions').length, 0);
  });
});

describe('reports without the default conversion metric (nock)', () => {
  before(() => nock.disableNetConnect());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('ask for no conversion statistic with a stand-in id; a 400 about that id skips the report with a warning, exit 0', async () => {
    const json = { 'Content-Type': 'application/vnd.api+json' };
    const metrics = { data: [{ type: 'metric', id: 'RCV', attributes: { name: 'Received Email', created: '2024-01-01T00:00:00+00:00', integration: { name: 'Klaviyo' } } }], links: { self: `${BASE}/api/metrics` } };
    const bodies: Array<{ data: { attributes: Record<string, unknown> } }> = [];
    const refused = { errors: [{ id: '1', status: 400, code: 'invalid', title: 'Invalid input.', detail: 'Not a conversion metric.', source: { pointer: '/data/attributes/conversion_metric_id' } }] };
    const check = answerScopeCheck(BASE, ['campaign_values_reports', 'flow_values_reports']);
    const scope = nock(BASE)
      .get('/api/metrics')
      .query(true)
      .reply(200, metrics, json)
      .post('/api/campaign-values-reports')
      .reply(400, refused, json)
      .post('/api/flow-values-reports', (b: (typeof bodies)[number]) => bodies.push(b) > 0)
      .reply(200, { data: { type: 'flow-values-report', attributes: { results: [{ groupings: { flow_id: 'F1', flow_message_id: 'FM1', send_channel: 'email' }, statistics: { delivered: 3 } }] } }, links: { self: `${BASE}/api/flow-values-reports` } }, json);
    const run = await runTap({ config: { ...BASE_CONFIG, report_days: 30 }, catalog: catalogSelecting(discover(allStreams()) as never, ['campaign_values_reports', 'flow_values_reports']) });
    assert.equal(run.code, 0, run.stderr);
    check.done();
    scope.done();
    const attributes = bodies[0]?.data.attributes ?? {};
    assert.equal(attributes['conversion_metric_id'], 'RCV');
    assert.deepEqual((attributes['statistics'] as string[]).filter((s) => /conversion|order|revenue|roi/.test(s)), []);
    assert.deepEqual(run.records('flow_values_reports').map((r) => [r['flow_message_id'], r['delivered'], r['conversions']]), [['FM1', 3, undefined]]);
    assert.match(run.stderr, /WARN stream campaign_values_reports: Klaviyo refused RCV as the stand-in conversion_metric_id \(.*\); the stream is skipped: set conversion_metric/);
  });
});

describe('a links.next that is no page of the collection (nock)', () => {
  before(() => nock.disableNetConnect());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('is not followed: the read ends there with one warning, and the stream saves no table version', async () => {
    // Prism's mock of the spec answers every collection with links.next "http://example.com".
    const json = { 'Content-Type': 'application/vnd.api+json' };
    const tag = (id: string): unknown => ({ type: 'tag', id, attributes: { name: id }, links: { self: `${BASE}/api/tags/${id}` } });
    const check = answerScopeCheck(BASE, ['tags']);
    const scope = nock(BASE).get('/api/tags').query(true).reply(200, { data: [tag('T1'), tag('T2')], links: { self: `${BASE}/api/tags`, next: 'http://example.com' } }, json);
    const run = await runTap({ config: BASE_CONFIG, catalog: catalogSelecting(discover(allStreams()) as never, ['tags']) });
    assert.equal(run.code, 0, run.stderr);
    check.done();
    scope.done();
    assert.deepEqual(run.records('tags').map((r) => r['id']), ['T1', 'T2']);
    assert.deepEqual(warnLines(run.stderr), [
      'WARN /api/tags: links.next (http://example.com/) is no page of /api/tags; not followed, the read ends there incomplete',
      'WARN stream tags: read in part (/api/tags); no parent bookmark or table version is saved for it this run',
    ]);
    // A first version is activated before its records (the table is new: nothing to delete); the closing one, which
    // would drop every row this read did not see, is not sent.
    const firstRecord = run.messages.findIndex((m) => m['type'] === 'RECORD');
    assert.deepEqual(run.messages.flatMap((m, i) => (m['type'] === 'ACTIVATE_VERSION' && i > firstRecord ? [i] : [])), [], 'a versioning target deletes nothing it did not see');
    assert.equal((run.lastState as { bookmarks: { tags: { active_version?: number } } }).bookmarks.tags.active_version, undefined, 'the read stays pending');
  });
});
