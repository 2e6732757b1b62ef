// The scope check before a sync (src/tap/account/scopes.ts): which request asks for which scope, what Klaviyo's answers
// say of each scope (its 403 detail may name the missing scopes, or say only "permission denied": both readings),
// and the one message naming every stream the key cannot read.
import assert from 'node:assert/strict';
import { ENDPOINTS } from '../../src/generated/endpoints.js';
import { METRIC_AGGREGATES, REPORTS } from '../../src/generated/reports.js';
import { allStreams, builtInStreams } from '../../src/streams/registry.js';
import { exitCodeFor } from '../../src/tap/cli/cli.js';
import { AuthError } from '../../src/tap/shared/errors.js';
import type { EndpointFacts } from '../../src/tap/http/endpoint-facts.js';
import { setLogSink } from '../../src/tap/shared/log.js';
import { MissingScopesError, planProbes, readableStreams, readEndpoints, scopesNamed, scopeStatus, shortfallsOf, shortfallText, type Answer, type ScopeCheck } from '../../src/tap/account/scopes.js';
import type { KlaviyoStream } from '../../src/tap/engine/stream.js';

const STREAMS = builtInStreams();
const stream = (name: string): KlaviyoStream => STREAMS.find((s) => s.name === name) ?? assert.fail(`no stream ${name}`);
const facts = (path: string): EndpointFacts => ENDPOINTS[path] ?? assert.fail(`no endpoint ${path}`);
const ALL_SCOPES = [...new Set(allStreams({}, true).flatMap((s) => s.scopes))].sort();

const ok = (path: string): Answer => ({ facts: facts(path), refused: false, named: [] });
const refused = (path: string, detail = 'You do not have permission to perform this action.'): Answer => ({ facts: facts(path), refused: true, named: scopesNamed(detail, facts(path)), detail });

describe('scopes', () => {
  describe('the requests', () => {
    const probes = planProbes(ALL_SCOPES, readEndpoints(STREAMS));

    it('one request per scope any stream needs, on an endpoint the streams read, never the Reporting API', () => {
      assert.deepEqual(probes.map((p) => p.scope), ALL_SCOPES);
      const read = new Set(readEndpoints(STREAMS).map((e) => e.path));
      for (const p of probes) {
        assert.ok(read.has(p.facts.path), `${p.scope}: ${p.facts.path} is read by a stream`);
        assert.equal(ENDPOINTS[p.facts.path], p.facts, `${p.scope}: a GET collection of the spec`);
        assert.ok(!(p.facts.path in REPORTS) && p.facts.path !== METRIC_AGGREGATES.path, `${p.scope}: not a Reporting API query`);
        assert.ok(p.facts.scopes.includes(p.scope));
      }
    });

    it('the endpoint needing that scope alone where one exists, else the one with the fewest, at the fastest tier', () => {
      const endpoints = readEndpoints(STREAMS);
      for (const p of probes) {
        const rivals = endpoints.filter((e) => e.scopes.includes(p.scope));
        const fewest = Math.min(...rivals.map((e) => e.scopes.length));
        assert.equal(p.facts.scopes.length, fewest, p.scope);
        const fastest = Math.max(...rivals.filter((e) => e.scopes.length === fewest).map((e) => e.rateLimit.perMinute));
        assert.equal(p.facts.rateLimit.perMinute, fastest, p.scope);
      }
      // push-tokens:read has no endpoint of its own: /api/push-tokens needs profiles:read too.
      assert.deepEqual(probes.find((p) => p.scope === 'push-tokens:read')?.facts.scopes, ['profiles:read', 'push-tokens:read']);
    });

    const urls: Array<[string, string]> = [
      ['events:read', '/api/events?fields[event]=uuid&page[size]=1'],
      ['metrics:read', '/api/metrics?fields[metric]=name'],
      ['campaigns:read', "/api/campaigns?fields[campaign]=name&page[size]=1&filter=equals(messages.channel%2C'email')"],
      ['coupon-codes:read', "/api/coupon-codes?fields[coupon-code]=status&page[size]=1&filter=equals(coupon.id%2C'10OFF')"],
      ['catalogs:read', '/api/catalog-categories?fields[catalog-category]=name&page[size]=1'],
      ['accounts:read', '/api/accounts?fields[account]=locale'],
    ];
    for (const [scope, url] of urls) {
      it(`${scope}: ${url} (the smallest page, one short field, the spec's example filter where one is required)`, () => {
        assert.equal(probes.find((p) => p.scope === scope)?.url, url);
      });
    }

    it('a child stream may need a scope its parent does not; a grandchild needs its grandparent listing too', () => {
      assert.deepEqual(stream('coupons').scopes, ['coupons:read']);
      assert.deepEqual(stream('coupon_codes').scopes, ['coupon-codes:read', 'coupons:read']);
      assert.deepEqual(stream('lists').scopes, ['lists:read']);
      assert.deepEqual(stream('list_members').scopes, ['lists:read', 'profiles:read']);
      assert.deepEqual(stream('flow_messages').scopes, ['flows:read']);
      assert.deepEqual(allStreams({}, true).find((s) => s.name === 'lists')?.scopes, ['accounts:read', 'lists:read']);
    });
  });

  describe('what the answers say', () => {
    it('scopesNamed: the scopes of the endpoint a 403 detail names, whole words only', () => {
      const push = facts('/api/push-tokens');
      assert.deepEqual(scopesNamed('This API key is missing required scopes: push-tokens:read.', push), ['push-tokens:read']);
      assert.deepEqual(scopesNamed('This API key is missing required scopes: profiles:read, push-tokens:read.', push), ['profiles:read', 'push-tokens:read']);
      assert.deepEqual(scopesNamed('You do not have permission to perform this action.', push), []);
      assert.deepEqual(scopesNamed('missing: xprofiles:read', push), []);
      assert.deepEqual(scopesNamed(undefined, push), []);
    });

    const table: Array<[string, Answer[], Record<string, string>]> = [
      ['read: every scope of the endpoint is there', [ok('/api/push-tokens')], { 'profiles:read': 'present', 'push-tokens:read': 'present' }],
      ['a 403 on an endpoint of one scope: that scope is missing (detail or none)', [refused('/api/segments')], { 'segments:read': 'missing' }],
      ['a 403 naming the scope', [refused('/api/segments', 'This API key is missing required scopes: segments:read.')], { 'segments:read': 'missing' }],
      [
        'a 403 on two scopes naming one: that one is missing, the other there',
        [refused('/api/push-tokens', 'This API key is missing required scopes: push-tokens:read.')],
        { 'profiles:read': 'present', 'push-tokens:read': 'missing' },
      ],
      ['a 403 on two scopes naming none, the other read elsewhere: the rest is missing', [ok('/api/profiles'), refused('/api/push-tokens')], { 'profiles:read': 'present', 'push-tokens:read': 'missing' }],
      ['the same, answers in the other order', [refused('/api/push-tokens'), ok('/api/profiles')], { 'profiles:read': 'present', 'push-tokens:read': 'missing' }],
      ['a 403 on two scopes naming none, the other missing too: the rest is unknown', [refused('/api/profiles'), refused('/api/push-tokens')], { 'profiles:read': 'missing', 'push-tokens:read': 'unknown' }],
      ['missing wins over a read elsewhere (the key changed between two answers)', [refused('/api/profiles'), ok('/api/push-tokens')], { 'profiles:read': 'missing', 'push-tokens:read': 'present' }],
    ];
    for (const [name, answers, want] of table) {
      it(name, () => assert.deepEqual(Object.fromEntries(scopeStatus(answers)), want));
    }

    it('shortfallsOf: the selected streams lacking a scope, in their order, with what they need and lack', () => {
      const status = scopeStatus([ok('/api/lists'), refused('/api/profiles'), refused('/api/push-tokens')]);
      const picked = ['lists', 'list_members', 'profiles', 'push_tokens'].map(stream);
      assert.deepEqual(shortfallsOf(picked, status), [
        { stream: 'list_members', needs: ['lists:read', 'profiles:read'], lacks: ['profiles:read'], unsure: [] },
        { stream: 'profiles', needs: ['profiles:read'], lacks: ['profiles:read'], unsure: [] },
        { stream: 'push_tokens', needs: ['profiles:read', 'push-tokens:read'], lacks: ['profiles:read'], unsure: ['push-tokens:read'] },
      ]);
    });
  });

  describe('the message and what follows', () => {
    const check: ScopeCheck = {
      scopes: ['flows:read', 'lists:read', 'profiles:read', 'push-tokens:read'],
      requests: 4,
      shortfalls: [
        { stream: 'list_members', needs: ['lists:read', 'profiles:read'], lacks: ['profiles:read'], unsure: [] },
        { stream: 'profiles', needs: ['profiles:read'], lacks: ['profiles:read'], unsure: [] },
        { stream: 'push_tokens', needs: ['profiles:read', 'push-tokens:read'], lacks: ['profiles:read'], unsure: ['push-tokens:read'] },
        { stream: 'flows', needs: ['flows:read'], lacks: ['flows:read'], unsure: [] },
      ],
      refused: ['/api/profiles', '/api/push-tokens', '/api/flows'],
      notes: [],
    };
    const selected = ['lists', 'list_members', 'profiles', 'push_tokens', 'flows', 'events'].map((name) => ({ stream: stream(name) }));

    it('one message: each stream with the scopes it lacks, the scopes to add, the streams to deselect', () => {
      assert.equal(
        shortfallText(check, 6),
        'the API key cannot read 4 of the 6 selected streams: list_members, profiles lack profiles:read; push_tokens lacks profiles:read, push-tokens:read (unconfirmed); ' +
          'flows lacks flows:read. Add flows:read, profiles:read, push-tokens:read to the key (Klaviyo: Settings > API keys), or deselect list_members, profiles, push_tokens, flows',
      );
    });

    it("Klaviyo's words where a refusal named no scope (a 403 may have another cause: a plan without the endpoint)", () => {
      const said = shortfallText({ ...check, shortfalls: check.shortfalls.slice(3), notes: ['GET /api/flows "You do not have permission to perform this action."'] }, 6);
      assert.match(said, /^the API key cannot read 1 of the 6 selected streams: flows lacks flows:read \(Klaviyo said: GET \/api\/flows "You do not have permission to perform this action\."\)\. Add flows:read/);
    });

    it('missing_scopes "fail": MissingScopesError (exit 3) with the message and the setting that skips instead', () => {
      assert.throws(
        () => readableStreams(selected, check, 'fail'),
        (err: unknown) => {
          assert.ok(err instanceof MissingScopesError && err instanceof AuthError);
          assert.equal(exitCodeFor(err), 3);
          assert.equal(err.message, `${shortfallText(check, 6)}, or set missing_scopes to "skip" to sync the others. Nothing was synced`);
          return true;
        },
      );
    });

    it('missing_scopes "skip": the others, and one warning per stream left out naming its scopes and the fix', () => {
      const lines: string[] = [];
      setLogSink((line) => lines.push(line));
      let kept;
      try {
        kept = readableStreams(selected, check, 'skip');
      } finally {
        setLogSink((line) => process.stderr.write(line));
      }
      assert.deepEqual(kept.map((s) => s.stream.name), ['lists', 'events']);
      assert.deepEqual(lines, [
        'WARN stream list_members: skipped (missing_scopes "skip"): the API key lacks profiles:read (it needs lists:read, profiles:read); add profiles:read to the key or deselect list_members\n',
        'WARN stream profiles: skipped (missing_scopes "skip"): the API key lacks profiles:read; add profiles:read to the key or deselect profiles\n',
        'WARN stream push_tokens: skipped (missing_scopes "skip"): the API key lacks profiles:read, push-tokens:read (unconfirmed) (it needs profiles:read, push-tokens:read); add profiles:read, push-tokens:read to the key or deselect push_tokens\n',
        'WARN stream flows: skipped (missing_scopes "skip"): the API key lacks flows:read; add flows:read to the key or deselect flows\n',
      ]);
    });

    it('nothing lacking: every selected stream, whatever the setting', () => {
      const fine = { ...check, shortfalls: [] };
      assert.deepEqual(readableStreams(selected, fine, 'fail'), selected);
      assert.deepEqual(readableStreams(selected, fine, 'skip'), selected);
    });
  });
});
