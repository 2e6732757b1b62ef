// The scope check before a sync against nock, where Klaviyo's 403 names no scope ("You do not have permission to
// perform this action.", as Klaviyo has been seen to answer): the check still tells which scope is missing, also
// where the only endpoint needing it needs another scope too; a refusal that is not about scopes (401, a page from
// Cloudflare) stops the run as before; a failed check request is retried like any other. Nothing reaches stdout
// before the check has passed. (The simulator, whose 403 names the scopes, is the other reading: reliability/permissions.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { ENDPOINTS } from '../src/generated/endpoints.js';
import type { EndpointFacts } from '../src/tap/http/endpoint-facts.js';
import { probeUrl } from '../src/tap/account/scopes.js';
import { API_KEY, BASE } from './helpers/fake-klaviyo.js';
import { BASE_CONFIG, catalogSelecting, runTap } from './helpers/run-tap.js';

type Catalog = Parameters<typeof catalogSelecting>[0];
const EXAMPLE = JSON.parse(readFileSync(new URL('../../catalog.example.json', import.meta.url), 'utf8')) as Catalog;
const GENERIC = { errors: [{ id: 'e1', status: 403, code: 'permission_denied', title: 'You do not have permission to perform this action.', detail: 'You do not have permission to perform this action.' }] };
const EMPTY = { data: [], links: { self: `${BASE}/api/x`, next: null } };

/** The check's request for an endpoint (its path and parameters, as scopes.ts builds them). */
function check(path: string): nock.Interceptor {
  const url = new URL(probeUrl(ENDPOINTS[path] as EndpointFacts), BASE);
  return nock(BASE).get(url.pathname).query(Object.fromEntries(url.searchParams));
}

function lastLine(stderr: string): string {
  return stderr.trimEnd().split('\n').pop() ?? '';
}

describe('the scope check before a sync (nock, a 403 naming no scope)', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('push-tokens:read, which only comes with profiles:read: the profiles check passing tells it is the one missing', async () => {
    const scopes = [check('/api/profiles').reply(200, EMPTY), check('/api/push-tokens').reply(403, GENERIC)];
    const run = await runTap({ config: BASE_CONFIG, catalog: catalogSelecting(EXAMPLE, ['profiles', 'push_tokens']) });
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, '', 'nothing written');
    for (const s of scopes) assert.ok(s.isDone());
    assert.match(lastLine(run.stderr), /^tap-klaviyo: the API key cannot read 1 of the 2 selected streams: push_tokens lacks push-tokens:read \(Klaviyo said: GET \/api\/push-tokens "You do not have permission to perform this action\."\)\. Add push-tokens:read to the key .*or deselect push_tokens, or set missing_scopes to "skip" to sync the others\. Nothing was synced$/);
    assert.ok(!run.stderr.includes(API_KEY));
  });

  it('profiles:read missing as well: both streams named, push-tokens:read marked unconfirmed', async () => {
    check('/api/profiles').reply(403, GENERIC);
    check('/api/push-tokens').reply(403, GENERIC);
    const run = await runTap({ config: BASE_CONFIG, catalog: catalogSelecting(EXAMPLE, ['profiles', 'push_tokens']) });
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(lastLine(run.stderr), /cannot read 2 of the 2 selected streams: profiles lacks profiles:read; push_tokens lacks profiles:read, push-tokens:read \(unconfirmed\)/);
    assert.match(lastLine(run.stderr), /Add profiles:read, push-tokens:read to the key/);
  });

  it('a 401 on the check stops the run before anything is written, exit 3, with the fix for the key', async () => {
    check('/api/metrics').reply(401, { errors: [{ id: 'e1', status: 401, code: 'authentication_failed', title: 'Incorrect authentication credentials.', detail: 'Incorrect authentication credentials.' }] });
    const run = await runTap({ config: BASE_CONFIG, catalog: catalogSelecting(EXAMPLE, ['metrics']) });
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.match(lastLine(run.stderr), /^tap-klaviyo: GET \/api\/metrics was refused: 401 authentication_failed: Incorrect authentication credentials\.; check api_key in the config \(or TAP_KLAVIYO_API_KEY\)/);
  });

  it('a 403 page from Cloudflare on the check is not read as a missing scope: the run stops with what it was', async () => {
    check('/api/metrics').reply(403, '<html><body>Attention Required! | Cloudflare</body></html>', { 'Content-Type': 'text/html' });
    const run = await runTap({ config: BASE_CONFIG, catalog: catalogSelecting(EXAMPLE, ['metrics']) });
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.match(lastLine(run.stderr), /^tap-klaviyo: GET \/api\/metrics was refused: 403: an HTML error page \(e\.g\. Cloudflare\), not the API$/);
  });

  it('a 503 on the check is retried; then the sync runs', async () => {
    const failed = check('/api/metrics').reply(503, { errors: [{ id: 'e1', status: 503, code: 'unavailable', title: 'x', detail: 'Service unavailable.' }] });
    const passed = check('/api/metrics').reply(200, EMPTY);
    const stream = nock(BASE).get('/api/metrics').reply(200, { data: [{ type: 'metric', id: 'M1', attributes: { name: 'Placed Order', created: '2024-01-01T00:00:00+00:00', updated: '2024-01-01T00:00:00+00:00', integration: null } }], links: {} });
    const run = await runTap({ config: BASE_CONFIG, catalog: catalogSelecting(EXAMPLE, ['metrics']) });
    assert.equal(run.code, 0, run.stderr);
    for (const s of [failed, passed, stream]) assert.ok(s.isDone());
    assert.match(run.stderr, /WARN retrying GET \/api\/metrics \(1\/2\): 503 unavailable/);
    assert.deepEqual(run.records('metrics').map((r) => r['id']), ['M1']);
  });
});
