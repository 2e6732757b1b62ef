// The scope check a sync makes before its streams start (src/tap/account/scopes.ts), answered in nock tests the way a key
// with every scope answers it: each of its requests once, with an empty page. Register it before the test's own
// interceptors, so a broad one (`.query(true)`) does not take the check's request.
import nock from 'nock';
import { allStreams } from '../../src/streams/registry.js';
import { planProbes, readEndpoints } from '../../src/tap/account/scopes.js';

export function answerScopeCheck(base: string, streamNames: readonly string[]): nock.Scope {
  const all = allStreams();
  const scopes = [...new Set(all.filter((s) => streamNames.includes(s.name)).flatMap((s) => s.scopes))];
  const scope = nock(base);
  for (const probe of planProbes(scopes, readEndpoints(all))) {
    const url = new URL(probe.url, base);
    scope
      .get(url.pathname)
      .query(Object.fromEntries(url.searchParams))
      .reply(200, { data: [], links: { self: url.href, next: null } }, { 'Content-Type': 'application/vnd.api+json' });
  }
  return scope;
}
