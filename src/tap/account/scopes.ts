// Which selected streams the API key cannot read, found before any stream starts (and by --test). Klaviyo has no
// call that lists a key's scopes, so the tap asks: one small GET per distinct scope the selected streams need
// (page size 1, one field), on the endpoint that needs that scope alone at the fastest rate tier, among those the
// streams read anyway (never the Reporting API: those are POSTs with a daily quota of 225). A 403 there means the
// scope is missing. Where the only endpoint also needs another scope (push-tokens:read comes with profiles:read),
// Klaviyo's 403 detail names what is missing, or, where it does not, the other scope's own answer tells.
import { ENDPOINTS } from '../../generated/endpoints.js';
import { AuthError, FatalApiError } from '../shared/errors.js';
import { log } from '../shared/log.js';
import { budgetOf, type EndpointFacts } from '../http/endpoint-facts.js';
import type { KlaviyoClient } from '../http/http.js';
import type { KlaviyoStream } from '../engine/stream.js';
import { ACCOUNTS_PATH } from '../engine/stream-types.js';

/** One request that tells whether the key has `scope`. */
export interface Probe {
  scope: string;
  facts: EndpointFacts;
  url: string;
}

/** What Klaviyo answered a probe: read, or refused with 403 permission_denied (and the scopes its detail named). */
export interface Answer {
  facts: EndpointFacts;
  refused: boolean;
  /** Scopes of the endpoint that the 403's detail names (empty where the detail names none). */
  named: string[];
  detail?: string;
}

/** `unknown`: refused on an endpoint that also needs a scope the key lacks, with a detail that named neither. */
export type ScopeStatus = 'present' | 'missing' | 'unknown';

/** A selected stream the key cannot read: the scopes it needs, those the key lacks and those it may lack. */
export interface Shortfall {
  stream: string;
  needs: string[];
  lacks: string[];
  unsure: string[];
}

export interface ScopeCheck {
  /** Every scope the selected streams need, sorted. */
  scopes: string[];
  /** Requests the check made. */
  requests: number;
  shortfalls: Shortfall[];
  /** Endpoints that answered 403. */
  refused: string[];
  /** Klaviyo's words where a refusal named no scope (`GET /api/webhooks "..."`): a 403 may have another cause. */
  notes: string[];
}

/** The GET collections the streams read with no id in the path (their own, their parents', the account's). */
export function readEndpoints(streams: readonly KlaviyoStream[]): EndpointFacts[] {
  const paths = new Set<string>([ACCOUNTS_PATH]);
  for (const s of streams) {
    paths.add(s.path);
    for (let p = s.parent; p; p = p.parent ?? null) paths.add(p.path);
  }
  return [...paths].filter((path) => !path.includes('{')).flatMap((path) => ENDPOINTS[path] ?? []);
}

/** Fewest scopes first (alone is best), then the fastest tier, then the path (so the choice is stable). */
function cheaper(a: EndpointFacts, b: EndpointFacts): number {
  return (
    a.scopes.length - b.scopes.length ||
    b.rateLimit.perMinute - a.rateLimit.perMinute ||
    b.rateLimit.perSecond - a.rateLimit.perSecond ||
    a.path.localeCompare(b.path)
  );
}

/** The URL of a probe: the smallest page, one short attribute, the spec's example where a filter is required. */
export function probeUrl(facts: EndpointFacts): string {
  const params: string[] = [];
  const fields = facts.resourceType ? (facts.fields[facts.resourceType] ?? []).filter((f) => f !== 'id' && !f.includes('.')) : [];
  const field = [...fields].sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
  if (field) params.push(`fields[${facts.resourceType}]=${field}`);
  if (facts.pageSize) params.push(`page[size]=${facts.pageSize.min}`);
  if (facts.filterExample) params.push(`filter=${encodeURIComponent(facts.filterExample)}`);
  return params.length > 0 ? `${facts.path}?${params.join('&')}` : facts.path;
}

/** One probe per scope (none where no endpoint the streams read needs it: the stream then finds out itself). */
export function planProbes(scopes: readonly string[], endpoints: readonly EndpointFacts[]): Probe[] {
  return scopes.flatMap((scope) => {
    const best = endpoints.filter((e) => e.scopes.includes(scope)).sort(cheaper)[0];
    return best ? [{ scope, facts: best, url: probeUrl(best) }] : [];
  });
}

/** The scopes of `facts` that a 403 detail names (Klaviyo may name them, or say only "permission denied"). */
export function scopesNamed(detail: string | undefined, facts: EndpointFacts): string[] {
  if (!detail) return [];
  return facts.scopes.filter((scope) => new RegExp(`(^|[^\\w-])${scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(detail));
}

/** Asks one probe. A 401 or another refusal (an HTML page from Cloudflare, say) is not about scopes: it is thrown. */
async function ask(client: KlaviyoClient, probe: Probe): Promise<Answer> {
  try {
    await client.get(probe.url, budgetOf(probe.facts));
    return { facts: probe.facts, refused: false, named: [] };
  } catch (err) {
    if (err instanceof AuthError && err.detail.status === 401) err.message += `; ${KEY_HINT}`;
    if (!(err instanceof AuthError) || err.detail.status !== 403 || err.detail.code !== 'permission_denied') throw err;
    return { facts: probe.facts, refused: true, named: scopesNamed(err.detail.detail, probe.facts), ...(err.detail.detail ? { detail: err.detail.detail } : {}) };
  }
}

/**
 * What the answers say of each scope. A read endpoint has all its scopes; a 403 whose detail names scopes lacks
 * those and has the others; a 403 naming none lacks its one scope, or, on an endpoint that needs several, the
 * ones every other answer says the key has (unknown while another of them is missing too).
 */
export function scopeStatus(answers: readonly Answer[]): Map<string, ScopeStatus> {
  const status = new Map<string, ScopeStatus>();
  const mark = (scope: string, value: ScopeStatus): void => {
    if (status.get(scope) !== 'missing') status.set(scope, value);
  };
  const vague: Answer[] = [];
  for (const a of answers) {
    if (!a.refused) a.facts.scopes.forEach((s) => mark(s, 'present'));
    else if (a.named.length > 0) a.facts.scopes.forEach((s) => mark(s, a.named.includes(s) ? 'missing' : 'present'));
    else if (a.facts.scopes.length === 1) a.facts.scopes.forEach((s) => mark(s, 'missing'));
    else vague.push(a);
  }
  for (const a of vague) {
    // Refused, and every scope but one is there: that one is missing. More left: nothing tells which of them.
    const rest = a.facts.scopes.filter((scope) => status.get(scope) !== 'present');
    if (rest.length === 1) mark(rest[0] ?? '', 'missing');
    else for (const scope of rest) if (!status.has(scope)) status.set(scope, 'unknown');
  }
  return status;
}

/** The selected streams the key cannot read (or may not: a scope whose answer was unclear), in their order. */
export function shortfallsOf(streams: readonly KlaviyoStream[], status: ReadonlyMap<string, ScopeStatus>): Shortfall[] {
  return streams.flatMap((s) => {
    const needs = s.scopes;
    const lacks = needs.filter((scope) => status.get(scope) === 'missing');
    const unsure = needs.filter((scope) => status.get(scope) === 'unknown');
    return lacks.length + unsure.length > 0 ? [{ stream: s.name, needs, lacks, unsure }] : [];
  });
}

/**
 * Probes every scope the `selected` streams need, side by side, on endpoints the `all` streams read. Throws what is
 * not about scopes (401, a network failure after retries); a missing scope is a shortfall, never an error.
 */
export async function checkScopes(selected: readonly KlaviyoStream[], all: readonly KlaviyoStream[], client: KlaviyoClient): Promise<ScopeCheck> {
  const scopes = [...new Set(selected.flatMap((s) => s.scopes))].sort();
  const probes = planProbes(scopes, readEndpoints(all));
  const byUrl = new Map(probes.map((p) => [p.url, p]));
  // Every answer is in before anything is decided, so a failure is reported after the last request, not amid them.
  const settled = await Promise.allSettled([...byUrl.values()].map((p) => ask(client, p)));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const answers = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const notes = [...new Set(answers.filter((a) => a.refused && a.named.length === 0 && a.detail).map((a) => `GET ${a.facts.path} "${a.detail}"`))];
  const refused = answers.filter((a) => a.refused).map((a) => a.facts.path);
  return { scopes, requests: byUrl.size, shortfalls: shortfallsOf(selected, scopeStatus(answers)), refused, notes };
}

/** The fix for a 401: the key itself is wrong. */
export const KEY_HINT = 'check api_key in the config (or TAP_KLAVIYO_API_KEY): the key is missing, mistyped or revoked';

/**
 * Names the stream in an API error, once, with the fix for a refused key: a 401 (the key), a 403 once the stream
 * runs (a scope removed from the key during the run, the check before it having passed).
 */
export function labelled(err: unknown, stream: { name: string; scopes: readonly string[] }): unknown {
  if (!(err instanceof FatalApiError) || err.stream !== undefined) return err;
  err.stream = stream.name;
  const hints: Record<number, string> = {
    401: `; ${KEY_HINT}`,
    403: `; the key needs the scopes ${stream.scopes.join(', ')}: add them to the key or deselect ${stream.name} (tap-klaviyo --test names every selected stream the key cannot read)`,
  };
  err.message = `stream ${stream.name}: ${err.message}${hints[err.detail.status] ?? ''}`;
  return err;
}

/** What a stream lacks, with the scopes only maybe missing marked. */
function lacking(s: Shortfall): string[] {
  return [...s.lacks, ...s.unsure.map((scope) => `${scope} (unconfirmed)`)];
}

/**
 * The one message naming every stream the key cannot read and both fixes: the streams with the scopes they lack
 * (`segments, segment_members lack segments:read`), the scopes to add, the streams to deselect.
 */
export function shortfallText(check: ScopeCheck, selected: number): string {
  const groups = new Map<string, string[]>();
  for (const s of check.shortfalls) groups.set(lacking(s).join(', '), [...(groups.get(lacking(s).join(', ')) ?? []), s.stream]);
  const listed = [...groups].map(([scopes, streams]) => `${streams.join(', ')} ${streams.length === 1 ? 'lacks' : 'lack'} ${scopes}`).join('; ');
  const add = [...new Set(check.shortfalls.flatMap((s) => [...s.lacks, ...s.unsure]))].sort();
  const said = check.notes.length > 0 ? ` (Klaviyo said: ${check.notes.join('; ')})` : '';
  return (
    `the API key cannot read ${check.shortfalls.length} of the ${selected} selected streams: ${listed}${said}. ` +
    `Add ${add.join(', ')} to the key (Klaviyo: Settings > API keys), or deselect ${check.shortfalls.map((s) => s.stream).join(', ')}`
  );
}

/** The key lacks scopes selected streams need, and `missing_scopes` is `fail`: exit 3 before anything is written. */
export class MissingScopesError extends AuthError {
  override readonly name: string = 'MissingScopesError';
}

/**
 * The streams to sync after the check: all of them when none lacks a scope; else, with `fail`, none (throws
 * MissingScopesError), with `skip`, the others (one warning per stream left out).
 */
export function readableStreams<T extends { stream: KlaviyoStream }>(selected: readonly T[], check: ScopeCheck, policy: 'fail' | 'skip'): T[] {
  if (check.shortfalls.length === 0) return [...selected];
  if (policy === 'fail') {
    const message = `${shortfallText(check, selected.length)}, or set missing_scopes to "skip" to sync the others. Nothing was synced`;
    throw new MissingScopesError(message, { status: 403, endpoint: check.refused[0] ?? '', code: 'permission_denied' });
  }
  const skipped = new Set(check.shortfalls.map((s) => s.stream));
  for (const s of check.shortfalls) {
    const needs = s.needs.length > s.lacks.length ? ` (it needs ${s.needs.join(', ')})` : '';
    log.warn(`stream ${s.stream}: skipped (missing_scopes "skip"): the API key lacks ${lacking(s).join(', ')}${needs}; add ${[...s.lacks, ...s.unsure].join(', ')} to the key or deselect ${s.stream}`);
  }
  return selected.filter((s) => !skipped.has(s.stream.name));
}
