// One API request -> one response: auth, revision, route, scopes, rate limit, parameters, page.
import { formatSeconds, nowMicros } from '../datetime.js';
import { ApiError, errorDocument } from '../http/api-error.js';
import { KeyRing } from '../http/keys.js';
import type { RateLimiter } from '../http/ratelimit.js';
import { encodeCursor } from '../query/cursor.js';
import { selectPage } from '../query/page.js';
import { parsePageRequest, type PageRequest } from '../query/params.js';
import type { Table } from '../types.js';
import type { World } from '../world/world.js';
import { ByteWriter, releaseBody } from './byte-writer.js';
import { includedTexts, resourceText, type RenderContext } from './document.js';
import type { HostileLog } from './hostile.js';
import { relationshipData } from './relationships.js';
import { aggregateDocument } from './aggregates.js';
import { reportDocument, reportFactsOf } from './reports.js';
import { METRIC_AGGREGATES } from '../../generated/reports.js';
import { matchRoute, type Route } from './routes.js';
import { layoutVariations, relayout, type LayoutRequest } from './layout.js';
import { DATETIME_ATTRIBUTES } from '../../generated/endpoints.js';
import { hash32, saltOf } from '../rng.js';
import type { ReportFacts } from '../../tap/reports/report-facts.js';

export const JSON_API = 'application/vnd.api+json';
const REVISIONS = new Set(['2026-07-15', '2026-07-15.pre']);
const PREDICTIVE_LIMITS = { perSecond: 10, perMinute: 150 };

export interface ApiRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** Origin `links.next` points at (default `base`; another origin when the `nextOrigin` knob is set). */
  nextBase?: string;
  /** Answer 400 to a datetime filter bound later than the clock (the `refuseFutureBounds` knob). */
  refuseFutureBounds?: boolean;
  /** Share of attribute values served off-spec (the `hostileRate` knob). */
  hostileRate?: number;
  /** UTC days on which the events listing leaves out every 10th event (the `skipEventsOnDays` knob). */
  skipEventsOnDays?: readonly string[];
  /** The body of a POST. */
  body?: string;
  /** Response layouts other than the simulator's own (the `layout` knob, api/layout.ts). */
  layout?: readonly string[];
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or (pages of resources) its UTF-8 bytes. */
  body: string | Buffer;
}

/** A page rendered ahead of its turn (see `ApiHandler.prepare`): its body, or the error its parameters earn. */
export type PreparedPage = { body: string | Buffer } | { error: ApiError };

export function errorResponse(error: ApiError, headers: Record<string, string> = {}): ApiResponse {
  return { status: error.status, headers: { 'content-type': JSON_API, ...headers }, body: JSON.stringify(errorDocument(error)) };
}

/** Klaviyo's 429: `Retry-After` and a detail saying when to come back (`reason` replaces the generic first sentence). */
export function throttledResponse(retryAfterSeconds: number, reason = ''): ApiResponse {
  const detail = `Request was throttled. ${reason}${reason ? '; e' : 'E'}xpected available in ${retryAfterSeconds} second(s).`;
  return errorResponse(new ApiError(429, 'throttled', 'Request was throttled.', detail), { 'retry-after': String(retryAfterSeconds) });
}

function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function encodeQuery(params: URLSearchParams): string {
  return [...params].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Which operation a path belongs to (for statistics), even when the request fails. */
export function operationIdOf(pathname: string): string {
  const aggregates = pathname.replace(/\/$/, '') === METRIC_AGGREGATES.path ? METRIC_AGGREGATES.operationId : undefined;
  return matchRoute(pathname)?.route.facts.operationId ?? reportFactsOf(pathname)?.operationId ?? aggregates ?? 'unknown';
}

export class ApiHandler {
  /** Every value served off-spec so far (the `hostileRate` knob). */
  readonly hostileLog: HostileLog = new Map();
  /** Size of the last page served per endpoint: what the next one's buffer starts at. */
  private readonly pageBytes = new Map<string, number>();

  constructor(
    private readonly world: World,
    private readonly keys: KeyRing,
    private readonly limiter: RateLimiter,
    private readonly cursorSecret: number,
  ) {}

  /** The response to a request; `prepared`: its page, rendered by `prepare` from the same request and world. */
  handle(request: ApiRequest, prepared?: PreparedPage): ApiResponse {
    try {
      return this.serve(request, prepared);
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      throw error;
    }
  }

  /**
   * Renders the page a GET asks for ahead of its turn, so that rendering runs while the simulated latency does;
   * undefined where nothing is rendered ahead. Everything else (auth, revision, scopes, the rate limit) is still
   * decided by `handle`, at the time the response goes out, as without it. Not with off-spec values (rendering
   * logs what it garbles, and a page rendered ahead may never be sent) nor with bounds checked against the clock.
   */
  prepare(request: ApiRequest): PreparedPage | undefined {
    if (request.method !== 'GET' || request.refuseFutureBounds || (request.hostileRate ?? 0) > 0) return undefined;
    const match = matchRoute(request.url.pathname);
    if (!match) return undefined;
    try {
      return { body: this.page(request, match.route, match.parentId) };
    } catch (error) {
      if (error instanceof ApiError) return { error };
      throw error;
    }
  }

  private serve(request: ApiRequest, prepared: PreparedPage | undefined): ApiResponse {
    const report = reportFactsOf(request.url.pathname);
    const aggregates = request.url.pathname.replace(/\/$/, '') === METRIC_AGGREGATES.path;
    const allowed = report || aggregates ? 'POST' : 'GET';
    if (request.method !== allowed) throw new ApiError(405, 'method_not_allowed', 'Method not allowed.', `Method "${request.method}" not allowed.`);
    const scopes = this.keys.authenticate(header(request, 'authorization'));
    const revision = header(request, 'revision');
    if (!revision) throw new ApiError(400, 'invalid', 'Invalid input.', 'The revision header is required (e.g. revision: 2026-07-15).', 'revision');
    if (!REVISIONS.has(revision)) throw new ApiError(400, 'invalid', 'Invalid input.', `Invalid revision '${revision}'. This API serves revision 2026-07-15.`, 'revision');
    if (report) return this.report(request, report, scopes);
    if (aggregates) return this.posted(request, METRIC_AGGREGATES, scopes, () => aggregateDocument(this.world, request.body ?? '', `${request.base}${request.url.pathname}`));
    const match = matchRoute(request.url.pathname);
    if (!match) throw new ApiError(404, 'not_found', 'Not found.', `No endpoint at ${request.url.pathname}.`);
    const { route, parentId } = match;
    KeyRing.authorize(scopes, route.facts.scopes);
    const predictive = (request.url.searchParams.get('additional-fields[profile]') ?? '').split(',').includes('predictive_analytics');
    const bucket = predictive ? `${route.facts.operationId}#predictive_analytics` : route.facts.operationId;
    const admission = this.limiter.admit(bucket, predictive ? PREDICTIVE_LIMITS : route.facts.rateLimit);
    if (!admission.ok) return throttledResponse(admission.retryAfterSeconds);
    const rateHeaders = { 'ratelimit-limit': String(admission.limit), 'ratelimit-remaining': String(admission.remaining), 'ratelimit-reset': String(admission.resetSeconds) };
    try {
      return { status: 200, headers: { 'content-type': JSON_API, ...rateHeaders }, body: prepared ? preparedBody(prepared) : this.page(request, route, parentId) };
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error, rateHeaders);
      throw error;
    }
  }

  /** A Reporting API query (400s count against the quota). */
  private report(request: ApiRequest, facts: ReportFacts, scopes: ReadonlySet<string>): ApiResponse {
    return this.posted(request, facts, scopes, () => reportDocument(this.world, facts, request.body ?? '', `${request.base}${request.url.pathname}`));
  }

  /** A POST query: scopes, the tiers (with a daily quota where the endpoint has one), then the document. */
  private posted(request: ApiRequest, facts: { operationId: string; scopes: string[]; rateLimit: { perSecond: number; perMinute: number; perDay?: number } }, scopes: ReadonlySet<string>, answer: () => Record<string, unknown>): ApiResponse {
    KeyRing.authorize(scopes, facts.scopes);
    const admission = this.limiter.admit(facts.operationId, facts.rateLimit);
    if (!admission.ok) {
      const reason = admission.daily ? `The daily limit of ${facts.rateLimit.perDay ?? 0} requests for this endpoint is reached` : '';
      return throttledResponse(admission.retryAfterSeconds, reason);
    }
    const rateHeaders = { 'ratelimit-limit': String(admission.limit), 'ratelimit-remaining': String(admission.remaining), 'ratelimit-reset': String(admission.resetSeconds) };
    try {
      const doc = answer();
      return { status: 200, headers: { 'content-type': JSON_API, ...rateHeaders }, body: this.laidOut(request, JSON.stringify(doc), {}) };
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error, rateHeaders);
      throw error;
    }
  }

  private page(request: ApiRequest, route: Route, parentId: string): string | Buffer {
    const table = route.table(this.world, parentId);
    const params = request.url.searchParams;
    const latestBound = request.refuseFutureBounds ? nowMicros() : Infinity;
    const parsed = parsePageRequest(params, route.facts, table ?? this.world.byType.get(route.primaryType) ?? this.world.account, route, this.cursorSecret, latestBound);
    if (!table) throw new ApiError(404, 'not_found', 'Not found.', `No ${route.facts.path.split('/')[2]?.replace(/s$/, '')} with id '${parentId}'.`);
    return this.document(request, route, table, parsed, parentId);
  }

  /** The page as `JSON.stringify` would give `{data, links, included?}`, written resource by resource as UTF-8. */
  private document(request: ApiRequest, route: Route, table: Table, parsed: PageRequest, parentId: string): string | Buffer {
    const page = selectPage(table, parsed);
    const rows = route.facts.path === '/api/events' ? skipped(this.world, page.rows, request.skipEventsOnDays ?? []) : page.rows;
    const ctx: RenderContext = {
      base: request.base,
      world: this.world,
      fields: parsed.fields,
      extras: parsed.extras,
      includes: parsed.includes,
      hostile: { rate: request.hostileRate ?? 0, seed: this.cursorSecret, log: this.hostileLog, parentId },
    };
    const query = encodeQuery(request.url.searchParams);
    const path = `${request.base}${request.url.pathname}`;
    const links: Record<string, string> = { self: query ? `${path}?${query}` : path };
    if (page.next) {
      const rest = new URLSearchParams(request.url.searchParams);
      rest.delete('page[cursor]');
      rest.append('page[cursor]', encodeCursor(parsed.sortToken, page.next, this.cursorSecret));
      links['next'] = `${request.nextBase ?? request.base}${request.url.pathname}?${encodeQuery(rest)}`;
    }
    if (route.relationship) return this.laidOut(request, JSON.stringify({ data: relationshipData(route.relationship, table, page.rows), links }), { identifiers: true });
    const out = new ByteWriter(this.pageBytes.get(route.facts.path));
    out.write('{"data":[');
    rows.forEach((row, i) => out.write(i > 0 ? `,${resourceText(table, row, ctx, true)}` : resourceText(table, row, ctx, true)));
    out.write(`],"links":${JSON.stringify(links)}`);
    if (parsed.includes.length > 0) {
      out.write(',"included":[');
      includedTexts(table, rows, ctx).forEach((text, i) => out.write(i > 0 ? `,${text}` : text));
      out.write(']');
    }
    out.write('}');
    const bytes = out.bytes();
    this.pageBytes.set(route.facts.path, bytes.length);
    if ((request.layout ?? []).length === 0) return bytes;
    const laidOut = this.laidOut(request, bytes.toString('utf8'), { datetimes: DATETIME_ATTRIBUTES[route.facts.path] ?? [], sparse: new Set(parsed.fields.keys()) });
    releaseBody(bytes);
    return laidOut;
  }

  /** The document `text` in the layouts the request asks for (the `layout` knob), drawn from the seed and the request. */
  private laidOut(request: ApiRequest, text: string, facts: Partial<Pick<LayoutRequest, 'datetimes' | 'sparse' | 'identifiers'>>): string | Buffer {
    const variations = layoutVariations(request.layout ?? []);
    if (variations.size === 0) return text;
    const seed = hash32(this.cursorSecret, saltOf(`${request.method} ${request.url.pathname}${request.url.search} ${request.body ?? ''}`));
    return relayout(text, { variations, seed, datetimes: facts.datetimes ?? [], sparse: facts.sparse ?? new Set(), identifiers: facts.identifiers ?? false });
  }
}

/** The `skipEventsOnDays` knob: every 10th event (by row) of those UTC days left out of the page, silently. */
function skipped(world: World, rows: readonly number[], days: readonly string[]): number[] {
  if (days.length === 0) return [...rows];
  const skip = new Set(days);
  return rows.filter((row) => row % 10 !== 0 || !skip.has(formatSeconds(world.events.secOf(row)).slice(0, 10)));
}

function preparedBody(prepared: PreparedPage): string | Buffer {
  if ('error' in prepared) throw prepared.error;
  return prepared.body;
}
