// Singer METRIC lines (counters per page, timers), the progress line, and the revision lifecycle.
import assert from 'node:assert/strict';
import nock from 'nock';
import { KlaviyoClient } from '../../src/tap/http/http.js';
import { setLogSink } from '../../src/tap/shared/log.js';
import { Metrics, metricsEnabled, type MetricPoint } from '../../src/tap/singer/metrics.js';
import { duration, Progress, progressLine, type ProgressSource } from '../../src/tap/engine/progress.js';
import { revisionGoneHint, revisionLifecycle, revisionWarning } from '../../src/tap/config/revision.js';

function points(lines: string[]): MetricPoint[] {
  return lines.map((l) => {
    assert.match(l, /^INFO METRIC: \{/);
    return JSON.parse(l.slice('INFO METRIC: '.length)) as MetricPoint;
  });
}

describe('Singer metrics', () => {
  it('counts per stream and partition, writes the count since the last line, then forgets it', () => {
    const lines: string[] = [];
    const m = new Metrics(true, 60, (l) => lines.push(l));
    const a = { list_id: 'A' };
    const b = { list_id: 'B' };
    m.count('list_members', a, 100);
    m.count('list_members', a, 20);
    m.count('list_members', b, 7);
    m.count('events', {}, 0);
    m.flush();
    assert.deepEqual(points(lines), [
      { type: 'counter', metric: 'record_count', value: 120, tags: { stream: 'list_members', context: { list_id: 'A' } } },
      { type: 'counter', metric: 'record_count', value: 7, tags: { stream: 'list_members', context: { list_id: 'B' } } },
    ]);
    lines.length = 0;
    m.flush();
    assert.deepEqual(lines, [], 'nothing counted since');
    m.count('list_members', a, 3);
    m.flush();
    assert.equal(points(lines)[0]?.value, 3);
  });

  it('sync_duration writes its stream counters first; http_request_duration carries endpoint and status', () => {
    const lines: string[] = [];
    const m = new Metrics(true, 60, (l) => lines.push(l));
    m.count('events', {}, 5);
    m.count('lists', {}, 2);
    m.syncDuration('events', 1.234567, 'succeeded');
    m.request('/api/lists/{id}/profiles', 429, 0.05, 'failed');
    assert.deepEqual(points(lines), [
      { type: 'counter', metric: 'record_count', value: 5, tags: { stream: 'events', context: {} } },
      { type: 'timer', metric: 'sync_duration', value: 1.2346, tags: { stream: 'events', context: {}, status: 'succeeded' } },
      { type: 'timer', metric: 'http_request_duration', value: 0.05, tags: { endpoint: '/api/lists/{id}/profiles', http_status_code: 429, status: 'failed' } },
    ]);
  });

  it('metrics_log_level above info silences every line; stop writes what is left', () => {
    assert.deepEqual([metricsEnabled('debug'), metricsEnabled('info'), metricsEnabled('warn'), metricsEnabled('error')], [true, true, false, false]);
    const quiet: string[] = [];
    const off = new Metrics(false, 60, (l) => quiet.push(l));
    off.count('events', {}, 5);
    off.request('/api/events', 200, 0.1, 'succeeded');
    off.start()();
    assert.deepEqual(quiet, []);
    const lines: string[] = [];
    const on = new Metrics(true, 60, (l) => lines.push(l));
    const stop = on.start();
    on.count('events', {}, 9);
    stop();
    assert.equal(points(lines)[0]?.value, 9);
  });
});

describe('progress line', () => {
  const HOUR = 3600 * 1e6;
  function source(over: Partial<ProgressSource> = {}): ProgressSource {
    return {
      summary: { records: 120000, pages: 1200 },
      budget: { tier: { perSecond: 350, perMinute: 3500 }, startsInLastMinute: () => 1750 },
      bookmark: () => '2024-01-01T04:00:00.000000Z',
      range: { from: Date.parse('2024-01-01T00:00:00Z') * 1000, to: Date.parse('2024-01-01T00:00:00Z') * 1000 + 10 * HOUR },
      ...over,
    };
  }

  it('records, pages, rate and share of the tier, bookmark with its share of the range, ETA', () => {
    assert.equal(
      progressLine('events', source(), 120_000),
      "stream events: 120000 records, 1200 pages, 1750 requests/min (50% of the tier's 3500/min), bookmark 2024-01-01T04:00:00.000000Z (40%), ETA 3m00s",
    );
  });

  it('no ETA without a range or a bookmark; a stream younger than a minute shows its requests so far', () => {
    assert.equal(progressLine('lists', source({ range: null }), 120_000), "stream lists: 120000 records, 1200 pages, 1750 requests/min (50% of the tier's 3500/min), bookmark 2024-01-01T04:00:00.000000Z");
    assert.equal(progressLine('list_members', source({ bookmark: () => null, budget: { tier: { perSecond: 10, perMinute: 150 }, startsInLastMinute: () => 15 } }), 10_000), "stream list_members: 120000 records, 1200 pages, 15 requests in 10s (10% of the tier's 150/min)");
  });

  it('only streams running for an interval print; unwatched ones stop', () => {
    let now = 0;
    const lines: string[] = [];
    const p = new Progress(5, () => now, (l) => lines.push(l));
    p.watch('events', source());
    now = 4000;
    p.tick();
    assert.deepEqual(lines, []);
    p.watch('lists', source({ range: null }));
    now = 6000;
    p.tick();
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^stream events: /);
    p.unwatch('events');
    now = 12_000;
    p.tick();
    assert.match(lines[1] ?? '', /^stream lists: /);
    assert.equal(lines.length, 2);
  });

  it('durations read like a person writes them', () => {
    assert.deepEqual([duration(45_000), duration(190_000), duration(7_500_000)], ['45s', '3m10s', '2h05m']);
  });
});

describe('revision lifecycle', () => {
  const at = (d: string) => new Date(`${d}T12:00:00Z`);

  it('stable a year, deprecated the second, retired after two', () => {
    assert.deepEqual(revisionLifecycle('2026-07-15'), { revision: '2026-07-15', released: '2026-07-15', deprecated: '2027-07-15', retired: '2028-07-15' });
    assert.equal(revisionLifecycle('2024-02-29')?.retired, '2026-02-28');
    assert.equal(revisionLifecycle('2026-07-15.pre')?.retired, '2028-07-15');
    assert.equal(revisionLifecycle('2026-02-30'), null);
  });

  // Fixed dates: these hold whatever today is. The tap's own revision asks for a newer release of the tap; an older
  // revision set in the config asks for the tap's own.
  const UPGRADE = /this release of tap-klaviyo is made for revision 2026-07-15: upgrade tap-klaviyo to a release made for a newer revision$/;
  const table: Array<[string, string, string, RegExp | null]> = [
    ['stable', '2026-07-15', '2027-01-01', null],
    ['deprecated', '2026-07-15', '2027-08-01', /^revision 2026-07-15 is deprecated since 2027-07-15 and retires on 2028-07-15; this release/],
    ['90 days before retirement', '2026-07-15', '2028-04-16', /^revision 2026-07-15 retires on 2028-07-15 \(in 90 days\); this release/],
    ['retired', '2026-07-15', '2028-07-15', /^revision 2026-07-15 was retired by Klaviyo on 2028-07-15: requests may fail with 410 Gone or silently get a newer revision's data; this release/],
    ['an older revision, deprecated', '2025-10-15', '2026-11-01', /^revision 2025-10-15 is deprecated since 2026-10-15 and retires on 2027-10-15; set "revision" in the config to 2026-07-15/],
    ['an older revision, stable', '2025-10-15', '2026-10-14', null],
  ];
  for (const [name, revision, today, expected] of table) {
    it(`warns: ${name} (${revision} on ${today})`, () => {
      const warning = revisionWarning(revision, at(today));
      if (expected === null) assert.equal(warning, null);
      else {
        assert.match(warning ?? '', expected);
        if (revision === '2026-07-15') assert.match(warning ?? '', UPGRADE);
      }
    });
  }

  it('a 410 hint names the revision, its retirement and the setting', () => {
    assert.match(revisionGoneHint('2023-02-22'), /revision 2023-02-22 \(retired on 2025-02-22, two years after its release\); set "revision" in the config to 2026-07-15/);
  });
});

describe('http_request_duration from the client', () => {
  before(() => {
    nock.disableNetConnect();
    setLogSink(() => undefined);
  });
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('one timer per attempt: a 503 then a 200 (failed, then succeeded), and an unreadable 200 (failed)', async () => {
    const timed: Array<[string, number, string]> = [];
    const client = new KlaviyoClient({
      baseUrl: 'https://a.klaviyo.test',
      apiKey: 'pk_test_observability',
      revision: '2026-07-15',
      timeoutMs: 5_000,
      maxRetries: 2,
      initialRetryWaitMs: 1,
      maxRetryWaitMs: 2,
      maxInFlight: 2,
      userAgent: 'tap-klaviyo-test',
      timer: { request: (endpoint, code, seconds, status) => void timed.push([endpoint, code, status]) },
    });
    const scope = nock('https://a.klaviyo.test')
      .get('/api/lists/L1/profiles')
      .reply(503, { errors: [] })
      .get('/api/lists/L1/profiles')
      .reply(200, '{"data": [], "links": {}}')
      .get('/api/metrics')
      .reply(200, '<html>oops</html>')
      .get('/api/metrics')
      .reply(200, '{"data": []}');
    await client.get('/api/lists/L1/profiles', { id: 'get_list_profiles', tier: { perSecond: 75, perMinute: 750 }, path: '/api/lists/{id}/profiles' });
    await client.get('/api/metrics', { id: 'get_metrics', tier: { perSecond: 10, perMinute: 150 } });
    assert.ok(scope.isDone());
    assert.deepEqual(timed, [
      ['/api/lists/{id}/profiles', 503, 'failed'],
      ['/api/lists/{id}/profiles', 200, 'succeeded'],
      ['get_metrics', 200, 'failed'],
      ['get_metrics', 200, 'succeeded'],
    ]);
  });
});
