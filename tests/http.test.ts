// The HTTP layer against nock: what is retried (and then succeeds), what stops the run and how it is reported,
// links.next that leave the configured origin or loop, --test, and the API key never printed anywhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { ENDPOINTS } from '../src/generated/endpoints.js';
import type { EndpointFacts } from '../src/tap/http/endpoint-facts.js';
import { KlaviyoClient } from '../src/tap/http/http.js';
import { probeUrl } from '../src/tap/account/scopes.js';
import { setLogSink } from '../src/tap/shared/log.js';
import type { Clock } from '../src/tap/http/ratelimit.js';
import { API_KEY, BASE, FakeKlaviyo, type FakeResource } from './helpers/fake-klaviyo.js';
import { BASE_CONFIG, catalogSelecting, runTap, type TapRun } from './helpers/run-tap.js';

type Catalog = Parameters<typeof catalogSelecting>[0];
const EXAMPLE = JSON.parse(readFileSync(new URL('../../catalog.example.json', import.meta.url), 'utf8')) as Catalog;
const CATALOG = catalogSelecting(EXAMPLE, ['metrics']);
const METRICS_TIER = { id: 'get_metrics', tier: { perSecond: 10, perMinute: 150 } };
const EVIL = 'https://evil.example.com';
const JSONAPI = { 'Content-Type': 'application/vnd.api+json' };
const HTML = { 'Content-Type': 'text/html; charset=utf-8' };

const METRICS: FakeResource[] = ['Received Email', 'Opened Email', 'Clicked Email', 'Placed Order', 'Viewed Product'].map((name, i) => ({
  type: 'metric',
  id: `M${i}`,
  attributes: { name, created: '2024-01-01T00:00:00+00:00', updated: '2024-01-01T00:00:00+00:00', integration: { name: 'Klaviyo' } },
}));
const IDS = METRICS.map((m) => m.id);

/** A fake account with five metrics served three per page (two pages). Install it after any one-off scopes. */
function fakeAccount(): FakeKlaviyo {
  const fake = new FakeKlaviyo().set('/api/metrics', METRICS);
  fake.unsizedPage = 3;
  return fake;
}

function apiError(status: number, code: string, detail: string, parameter?: string): Record<string, unknown> {
  return { errors: [{ id: 'e1', status, code, title: code, detail, ...(parameter ? { source: { parameter } } : {}) }] };
}

function sync(config: Record<string, unknown> = {}): Promise<TapRun> {
  return runTap({ config: { ...BASE_CONFIG, ...config }, catalog: CATALOG });
}

function assertNoSecret(run: TapRun): void {
  assert.ok(!run.stdout.includes(API_KEY), 'API key in stdout');
  assert.ok(!run.stderr.includes(API_KEY), 'API key in stderr');
}

/** The run's final error line: exactly one stderr line starts with `tap-klaviyo:`, and it is the last one. */
function errorLine(run: TapRun): string {
  const lines = run.stderr.split('\n').filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('tap-klaviyo:'));
  assert.equal(errors.length, 1, `one error line in: ${run.stderr}`);
  assert.equal(lines[lines.length - 1], errors[0], 'the error line comes last');
  return errors[0] ?? '';
}

/** A reset as node reports it. (nock needs an Error instance: a plain object never fails the request.) */
function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

const ids = (run: TapRun): string[] => run.records('metrics').map((r) => String(r['id']));

/** The request the sync's scope check makes before the metrics stream starts (its one scope, metrics:read). */
const CHECK = probeUrl(ENDPOINTS['/api/metrics'] as EndpointFacts);

/** The scope check passes (answered before the fake account sees it): what follows is the stream's own requests. */
function checkPasses(): nock.Scope {
  return nock(BASE).get(CHECK).reply(200, { data: [], links: {} });
}

describe('http (nock)', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  describe('retried, then succeeding', () => {
    beforeEach(() => checkPasses());

    // Served once before the account's normal pages.
    const queued: Array<[string, [number, unknown, Record<string, string>?], RegExp]> = [
      ['429 with Retry-After', [429, apiError(429, 'throttled', 'Request was throttled.'), { 'Retry-After': '0.05' }], /429 throttled/],
      ['500', [500, apiError(500, 'error', 'A server error occurred.'), JSONAPI], /500 error/],
      ['502', [502, apiError(502, 'bad_gateway', 'Bad gateway.')], /502/],
      ['503', [503, apiError(503, 'unavailable', 'Service unavailable.')], /503/],
      ['504', [504, apiError(504, 'timeout', 'Gateway timeout.')], /504/],
      ['524 (Cloudflare timeout)', [524, '', {}], /524/],
      ['408', [408, '', {}], /408/],
      ['an HTML 503 page', [503, '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>', HTML], /503: an HTML error page/],
      ['a 200 HTML page', [200, '<!DOCTYPE html><html><body>Just a moment...</body></html>', HTML], /\(1\/2\): 200: an HTML error page/],
      ['a truncated JSON 200 body', [200, '{"data":[{"type":"metric","id":"M0","attr', JSONAPI], /\(1\/2\): 200: a body that is not JSON/],
      ['a 200 JSON body that is not a JSON:API document', [200, { results: [] }, JSONAPI], /\(1\/2\): 200/],
    ];
    for (const [name, response, warning] of queued) {
      it(name, async () => {
        const fake = fakeAccount().install();
        fake.queued.push(response);
        const run = await sync();
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(ids(run), IDS, 'every record once');
        assert.equal(fake.requests.length, 3, 'one failed attempt, then two pages');
        assert.equal(fake.requests[1]?.toString(), fake.requests[0]?.toString(), 'the same request was retried');
        assert.match(run.stderr, /WARN retrying GET \/api\/metrics \(1\/2\)/);
        assert.match(run.stderr, warning);
        assert.ok(fake.scope?.isDone());
        assertNoSecret(run);
      });
    }

    it('the retry warning for a 200 without "data" says why it is retried', async () => {
      const fake = fakeAccount().install();
      fake.queued.push([200, { results: [] }, JSONAPI]);
      const run = await sync();
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /\(1\/2\): 200: body is not a JSON:API document/);
    });

    const transport: Array<[string, (scope: nock.Interceptor) => nock.Scope, Record<string, unknown>, RegExp]> = [
      ['a connection reset', (i) => i.replyWithError(connectionReset()), {}, /ECONNRESET/],
      ['a hung request (past request_timeout_s)', (i) => i.delay(1_000).reply(200, { data: [], links: {} }), { request_timeout_s: 0.2 }, /ECONNABORTED|ETIMEDOUT|timeout/i],
    ];
    for (const [name, respond, config, warning] of transport) {
      it(name, async () => {
        const once = respond(nock(BASE).get('/api/metrics'));
        const fake = fakeAccount().install();
        const run = await sync(config);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(ids(run), IDS);
        assert.ok(once.isDone(), 'the failing response was served');
        assert.equal(fake.requests.length, 2, 'then the two pages, first page again from the start');
        assert.equal(fake.requests[0]?.search, '');
        assert.match(run.stderr, warning);
        assert.ok(fake.scope?.isDone());
        assertNoSecret(run);
      });
    }

    it('429 Retry-After: 1 pauses the endpoint budget; the retry starts only after it', async () => {
      const fake = fakeAccount().install();
      fake.queued.push([429, apiError(429, 'throttled', 'Request was throttled.'), { 'Retry-After': '1' }]);
      // Virtual time for the budget: every sleep is recorded with how many requests had been made by then.
      let now = 1_000_000;
      const sleeps: Array<{ ms: number; requestsBefore: number }> = [];
      const clock: Clock = {
        now: () => now,
        sleep: async (ms) => {
          sleeps.push({ ms, requestsBefore: fake.requests.length });
          now += ms;
        },
      };
      const lines: string[] = [];
      setLogSink((line) => lines.push(line));
      const client = new KlaviyoClient({
        baseUrl: BASE,
        apiKey: API_KEY,
        revision: '2026-07-15',
        timeoutMs: 5_000,
        maxRetries: 2,
        initialRetryWaitMs: 1,
        maxRetryWaitMs: 5,
        maxInFlight: 4,
        userAgent: 'tap-klaviyo-test',
        clock,
      });
      const doc = await client.get('/api/metrics', METRICS_TIER);
      assert.ok(Array.isArray(doc.data) && doc.data.length === 3);
      assert.equal(fake.requests.length, 2);
      assert.deepEqual(sleeps, [{ ms: 1_000, requestsBefore: 1 }], 'the budget held the retry for Retry-After, after the 429 and before request 2');
      assert.deepEqual([client.stats.requests, client.stats.retries], [2, 1]);
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? '', /^WARN retrying GET \/api\/metrics \(1\/2\): 429 throttled/);
      assert.ok(!lines.join('').includes(API_KEY));
    });
  });

  describe('retries exhausted: exit 1, one line naming the stream, the endpoint and the status', () => {
    beforeEach(() => checkPasses());

    const table: Array<[string, [number, unknown, Record<string, string>?], RegExp]> = [
      ['503', [503, apiError(503, 'unavailable', 'Service unavailable.')], /^tap-klaviyo: stream metrics: GET \/api\/metrics failed after 2 retries: 503 unavailable: Service unavailable\.$/],
      ['429', [429, apiError(429, 'throttled', 'Request was throttled.'), { 'Retry-After': '0.01' }], /stream metrics: GET \/api\/metrics failed after 2 retries: 429 throttled/],
      ['an HTML 502 page', [502, '<html><body>Bad Gateway</body></html>', HTML], /stream metrics: GET \/api\/metrics failed after 2 retries: 502: an HTML error page/],
      ['a truncated 200 body', [200, '{"data":[', JSONAPI], /stream metrics: GET \/api\/metrics failed after 2 retries: 200: a body that is not JSON$/],
      ['a 200 without "data"', [200, { results: [] }, JSONAPI], /stream metrics: GET \/api\/metrics failed after 2 retries: 200: body is not a JSON:API document \(no "data"\)$/],
    ];
    for (const [name, response, message] of table) {
      it(name, async () => {
        const fake = fakeAccount().install();
        fake.queued.push(response, response, response);
        const run = await sync();
        assert.equal(run.code, 1);
        assert.equal(fake.requests.length, 3, 'max_retries 2: three attempts, no more');
        assert.match(errorLine(run), message);
        assert.deepEqual(ids(run), []);
        assertNoSecret(run);
      });
    }

    it('connection resets', async () => {
      const scope = nock(BASE).get('/api/metrics').times(3).replyWithError(connectionReset());
      const run = await sync();
      assert.equal(run.code, 1);
      assert.ok(scope.isDone(), 'three attempts');
      assert.match(errorLine(run), /^tap-klaviyo: stream metrics: GET \/api\/metrics failed after 2 retries: connection reset by the server \[ECONNRESET\]$/);
      assertNoSecret(run);
    });
  });

  describe('refused for good: not retried, a message that says what to fix', () => {
    beforeEach(() => checkPasses());

    const table: Array<[string, [number, unknown, Record<string, string>?], number, RegExp]> = [
      ['401 invalid key: exit 3', [401, apiError(401, 'authentication_failed', 'Incorrect authentication credentials.')], 3, /^tap-klaviyo: stream metrics: GET \/api\/metrics was refused: 401 authentication_failed: Incorrect authentication credentials\.; check api_key in the config \(or TAP_KLAVIYO_API_KEY\): the key is missing, mistyped or revoked$/],
      ['401 missing key: exit 3', [401, apiError(401, 'not_authenticated', 'Authentication credentials were not provided.')], 3, /401 not_authenticated: Authentication credentials were not provided\.; check api_key in the config/],
      [
        '403 permission_denied once the stream runs (a scope removed after the check): exit 3',
        [403, apiError(403, 'permission_denied', 'You do not have permission to perform this action.')],
        3,
        /^tap-klaviyo: stream metrics: GET \/api\/metrics was refused: 403 permission_denied: You do not have permission to perform this action\.; the key needs the scopes metrics:read: add them to the key or deselect metrics \(tap-klaviyo --test names every selected stream the key cannot read\)$/,
      ],
      ['403 HTML from Cloudflare: exit 3', [403, '<html><body>Attention Required! | Cloudflare</body></html>', HTML], 3, /GET \/api\/metrics was refused: 403: an HTML error page \(e\.g\. Cloudflare\), not the API; the key needs the scopes metrics:read/],
      [
        '400 with JSON:API errors: the detail and the parameter',
        [400, apiError(400, 'invalid', "'less-than' is not a valid operator for 'updated'", 'filter')],
        1,
        /^tap-klaviyo: stream metrics: GET \/api\/metrics failed: 400 invalid: 'less-than' is not a valid operator for 'updated' \(parameter filter\)$/,
      ],
      ['404 on a top-level stream is not skipped', [404, apiError(404, 'not_found', 'Not found.')], 1, /stream metrics: GET \/api\/metrics: 404 not_found/],
      ['405', [405, apiError(405, 'method_not_allowed', 'Method "GET" not allowed.')], 1, /stream metrics: GET \/api\/metrics failed: 405 method_not_allowed/],
      [
        '410 Gone (a retired revision): names the revision and the fix',
        [410, apiError(410, 'gone', 'This API revision is no longer available.')],
        1,
        /^tap-klaviyo: stream metrics: GET \/api\/metrics failed: 410 gone: This API revision is no longer available\.; Klaviyo answers 410 Gone for a retired API revision: revision 2026-07-15 \(retired on 2028-07-15, two years after its release\); this release of tap-klaviyo is made for revision 2026-07-15: upgrade tap-klaviyo to a release made for a newer revision$/,
      ],
    ];
    for (const [name, response, code, message] of table) {
      it(name, async () => {
        const fake = fakeAccount().install();
        fake.queued.push(response, response, response);
        const run = await sync();
        assert.equal(run.code, code, run.stderr);
        assert.equal(fake.requests.length, 1, 'not retried');
        assert.match(errorLine(run), message);
        assert.doesNotMatch(run.stderr, /retrying/);
        assertNoSecret(run);
      });
    }
  });

  describe('links.next', () => {
    beforeEach(() => checkPasses());

    const foreign: Array<[string, string, (next: URL) => string, RegExp]> = [
      ['another host', EVIL, (n) => `${EVIL}/api/metrics${n.search}`, /refused to follow links\.next to https:\/\/evil\.example\.com/],
      ['a protocol-relative link to another host', EVIL, (n) => `//evil.example.com/api/metrics${n.search}`, /refused to follow links\.next to /],
      ['a user-info trick', EVIL, (n) => `https://a.klaviyo.com@evil.example.com/api/metrics${n.search}`, /refused to follow links\.next to https:\/\/evil\.example\.com/],
      ['plain http on the same host', 'http://a.klaviyo.com', (n) => `http://a.klaviyo.com/api/metrics${n.search}`, /refused to follow links\.next to http:\/\/a\.klaviyo\.com/],
      ['another port on the same host', 'https://a.klaviyo.com:8443', (n) => `https://a.klaviyo.com:8443/api/metrics${n.search}`, /refused to follow links\.next to https:\/\/a\.klaviyo\.com:8443/],
    ];
    for (const [name, origin, rewrite, message] of foreign) {
      it(`to ${name} is refused: nothing is sent there`, async () => {
        const elsewhere = nock(origin).get(/.*/).reply(200, { data: [], links: {} });
        const fake = fakeAccount();
        fake.rewriteNext = (next) => rewrite(new URL(next));
        fake.install();
        const run = await sync();
        assert.equal(run.code, 1);
        assert.equal(elsewhere.isDone(), false, `nothing was sent to ${origin}`);
        assert.equal(fake.requests.length, 1);
        const line = errorLine(run);
        assert.match(line, /^tap-klaviyo: stream metrics: /);
        assert.match(line, message);
        assert.match(line, /not the configured base_url/);
        assert.deepEqual(ids(run), IDS.slice(0, 3), 'the first page was written before the refusal');
        assertNoSecret(run);
      });
    }

    it('a protocol-relative next link is reported with the host it points to', async () => {
      const fake = fakeAccount();
      fake.rewriteNext = (next) => `//evil.example.com/api/metrics${new URL(next).search}`;
      fake.install();
      const run = await sync();
      assert.equal(run.code, 1);
      assert.match(errorLine(run), /refused to follow links\.next to https:\/\/evil\.example\.com/);
    });

    const loops: Array<[string, (fake: FakeKlaviyo) => string]> = [
      ['repeats the page it is on', (fake) => fake.requests[fake.requests.length - 1]?.toString() ?? ''],
      ['goes back to the first page', (fake) => (fake.requests.length >= 2 ? (fake.requests[0]?.toString() ?? '') : '')],
    ];
    for (const [name, rewrite] of loops) {
      it(`that ${name} stops with "pagination loop"`, async () => {
        const fake = fakeAccount();
        fake.unsizedPage = 2;
        fake.rewriteNext = (next) => rewrite(fake) || next;
        fake.install();
        const run = await sync();
        assert.equal(run.code, 1);
        assert.match(errorLine(run), /^tap-klaviyo: stream metrics: pagination loop: links\.next repeats an earlier page of \/api\/metrics$/);
        assert.ok(fake.requests.length <= 2, 'stopped before asking again');
        assert.equal(new Set(fake.requests.map((u) => u.toString())).size, fake.requests.length, 'no page was requested twice');
        assertNoSecret(run);
      });
    }

    it('followed verbatim on the same origin, with the auth and revision headers on every page', async () => {
      const fake = fakeAccount();
      fake.unsizedPage = 2;
      fake.rewriteNext = (next) => `${next}&opaque=%7Bkeep%7D`;
      fake.install();
      const run = await sync();
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(ids(run), IDS);
      assert.equal(fake.requests.length, 3);
      for (const u of fake.requests.slice(1)) assert.equal(u.searchParams.get('opaque'), '{keep}');
      for (const h of fake.headers) assert.deepEqual([h['authorization'], h['revision']], [`Klaviyo-API-Key ${API_KEY}`, '2026-07-15']);
      assertNoSecret(run);
    });
  });

  describe('--test: the scope check of the selected streams (here metrics: one scope, one request)', () => {
    const probe = () => nock(BASE).get(CHECK).matchHeader('authorization', `Klaviyo-API-Key ${API_KEY}`).matchHeader('revision', '2026-07-15');
    const denied = apiError(403, 'permission_denied', 'You do not have permission to perform this action.');
    const table: Array<[string, (i: nock.Interceptor) => nock.Scope, number, RegExp]> = [
      ['a working key: exit 0, "ok"', (i) => i.reply(200, { data: [], links: { next: null } }), 0, /^ok: the API key works and has every scope of the selected streams: metrics:read \(1 stream, 1 request, revision 2026-07-15\)$/],
      [
        'a key without metrics:read (403, Klaviyo naming no scope): exit 1, names the stream, the scope and both fixes',
        (i) => i.reply(403, denied),
        1,
        /^failed: the API key cannot read 1 of the 1 selected streams: metrics lacks metrics:read \(Klaviyo said: GET \/api\/metrics "You do not have permission to perform this action\."\)\. Add metrics:read to the key \(Klaviyo: Settings > API keys\), or deselect metrics$/,
      ],
      ['an invalid key (401): exit 1', (i) => i.reply(401, apiError(401, 'authentication_failed', 'Incorrect authentication credentials.')), 1, /^failed: the API key was refused \(it is missing or invalid\): .*401 authentication_failed.*; check api_key/],
      ['a 403 page from Cloudflare (not about scopes): exit 1, says so', (i) => i.reply(403, '<html><body>Attention Required! | Cloudflare</body></html>', HTML), 1, /^failed: GET \/api\/metrics was refused: 403: an HTML error page \(e\.g\. Cloudflare\), not the API$/],
    ];
    for (const [name, respond, code, line] of table) {
      it(name, async () => {
        const scope = respond(probe());
        const run = await runTap({ config: BASE_CONFIG, catalog: CATALOG, args: ['--test'] });
        assert.equal(run.code, code, run.stderr);
        assert.ok(scope.isDone());
        assert.ok(run.stdout.endsWith('\n'));
        const lines = run.stdout.slice(0, -1).split('\n');
        assert.equal(lines.length, 1, 'one line on stdout');
        assert.match(lines[0] ?? '', line);
        assertNoSecret(run);
      });
    }
  });
});
