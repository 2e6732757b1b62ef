// A small in-memory Klaviyo behind nock, for the tap's own tests: JSON:API pages, filters checked against the
// spec's allowed fields/operators, sort, page[size] caps, absolute `links.next` with an opaque cursor, and a
// log of every request. (The full simulator in src/simulator is used by the end-to-end tests.)
import nock from 'nock';
import { ENDPOINTS } from '../../src/generated/endpoints.js';
import { toMicros } from '../../src/tap/shared/time.js';

export interface FakeResource {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data: { type: string; id: string } | null }>;
  /** Values filters see that are not attributes (e.g. `messages.channel` of a campaign). */
  filterValues?: Record<string, unknown>;
}

export const BASE = 'https://a.klaviyo.com';
export const API_KEY = 'pk_test_secret_0123456789abcdef';

interface Expr {
  op: string;
  field: string;
  value: string;
}

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (current) parts.push(current);
  return parts;
}

export function parseFilter(filter: string): Expr[] {
  return splitTop(filter).map((part) => {
    const m = /^([a-z-]+)\((.*)\)$/.exec(part.trim());
    if (!m) throw new Error(`bad filter expression ${part}`);
    const [field, ...rest] = splitTop(m[2] ?? '');
    return { op: m[1] ?? '', field: (field ?? '').trim(), value: rest.join(',').trim() };
  });
}

function literal(value: string): unknown {
  if (/^'.*'$|^".*"$/.test(value)) return value.slice(1, -1);
  if (value.startsWith('[')) return splitTop(value.slice(1, -1)).map(literal);
  return value;
}

function fieldValues(resource: FakeResource, field: string): unknown[] {
  if (resource.filterValues && field in resource.filterValues) return [resource.filterValues[field]];
  const rel = /^(\w+)_id$/.exec(field);
  if (rel && resource.relationships?.[rel[1] ?? '']) return [resource.relationships[rel[1] ?? '']?.data?.id];
  let values: unknown[] = [resource.attributes];
  for (const key of field.split('.')) {
    values = values.flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined));
  }
  return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function compare(a: unknown, b: string): number {
  const x = typeof a === 'string' ? toMicros(a) : null;
  const y = toMicros(b);
  if (x === null || y === null) return NaN;
  return x - y;
}

function matches(resource: FakeResource, e: Expr): boolean {
  const want = literal(e.value);
  return fieldValues(resource, e.field).some((v) => {
    switch (e.op) {
      case 'equals':
        return v === want;
      case 'any':
        return Array.isArray(want) && want.includes(v);
      case 'greater-than':
        return compare(v, e.value) > 0;
      case 'greater-or-equal':
        return compare(v, e.value) >= 0;
      case 'less-than':
        return compare(v, e.value) < 0;
      case 'less-or-equal':
        return compare(v, e.value) <= 0;
      default:
        return false;
    }
  });
}

function templateOf(path: string): string | undefined {
  return Object.keys(ENDPOINTS).find((t) => new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}/?$`).test(path));
}

function jsonApiError(status: number, code: string, detail: string, parameter?: string): [number, unknown] {
  return [status, { errors: [{ id: 'e1', status, code, title: code, detail, ...(parameter ? { source: { parameter } } : {}) }] }];
}

export class FakeKlaviyo {
  readonly collections = new Map<string, FakeResource[]>();
  readonly requests: URL[] = [];
  readonly headers: Array<Record<string, string | string[] | undefined>> = [];
  /** Responses to serve before the normal ones, in order (status, body, headers). */
  readonly queued: Array<[number, unknown, Record<string, string>?]> = [];
  /** Rewrites a page's next link (to test foreign or looping links). */
  rewriteNext: ((next: string) => string) | null = null;
  scope: nock.Scope | null = null;
  /** Page length of endpoints that take no page[size] (the real /api/metrics serves up to 200). */
  unsizedPage = 3;

  constructor(readonly base = BASE) {}

  set(path: string, resources: FakeResource[]): this {
    this.collections.set(path, resources);
    return this;
  }

  install(): this {
    const serve = (headers: Record<string, string | string[] | undefined>, uri: string): ReturnType<FakeKlaviyo['respond']> => {
      this.headers.push({ ...headers });
      return this.respond(new URL(uri, this.base));
    };
    this.scope = nock(this.base)
      .persist()
      .get(/^\/api\//)
      .reply(function (this: { req: { headers: Record<string, string | string[] | undefined> } }, uri: string) {
        return serve(this.req.headers, uri);
      });
    return this;
  }

  respond(url: URL): [number, unknown] | [number, unknown, Record<string, string>] {
    this.requests.push(url);
    const queued = this.queued.shift();
    if (queued) return queued[2] ? [queued[0], queued[1], queued[2]] : [queued[0], queued[1]];
    const template = templateOf(url.pathname);
    const facts = template ? ENDPOINTS[template] : undefined;
    const all = this.collections.get(url.pathname.replace(/\/$/, ''));
    if (!facts || !all) return jsonApiError(404, 'not_found', `no ${url.pathname}`);
    const filter = url.searchParams.get('filter');
    const exprs = filter ? parseFilter(filter) : [];
    for (const e of exprs) {
      if (!(facts.filters[e.field] ?? []).includes(e.op)) return jsonApiError(400, 'invalid', `${e.op} on ${e.field} is not allowed`, 'filter');
      if (/^'\d{4}-/.test(e.value)) return jsonApiError(400, 'invalid', 'datetimes must not be quoted', 'filter');
    }
    const sort = url.searchParams.get('sort');
    if (sort && !facts.sort.includes(sort)) return jsonApiError(400, 'invalid', `bad sort ${sort}`, 'sort');
    const size = Number(url.searchParams.get('page[size]') ?? facts.pageSize?.default ?? this.unsizedPage);
    if (facts.pageSize && (size > facts.pageSize.max || size < 1)) return jsonApiError(400, 'invalid', 'page size out of range', 'page[size]');
    let rows = all.filter((r) => exprs.every((e) => matches(r, e)));
    if (sort) {
      const desc = sort.startsWith('-');
      const field = sort.replace(/^-/, '');
      rows = [...rows].sort((a, b) => {
        const d = (toMicros(String(fieldValues(a, field)[0] ?? '')) ?? 0) - (toMicros(String(fieldValues(b, field)[0] ?? '')) ?? 0);
        return (desc ? -d : d) || a.id.localeCompare(b.id);
      });
    }
    const offset = Number(Buffer.from(url.searchParams.get('page[cursor]') ?? 'MA==', 'base64').toString() || '0');
    const page = rows.slice(offset, offset + size);
    const links: Record<string, string> = { self: url.toString() };
    if (offset + size < rows.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page[cursor]', Buffer.from(String(offset + size)).toString('base64'));
      links['next'] = this.rewriteNext ? this.rewriteNext(next.toString()) : next.toString();
    }
    const data = page.map(({ filterValues: _f, ...r }) => ({ ...r, links: { self: `${this.base}/api/x/${r.id}` } }));
    return [200, { data, links }, { 'RateLimit-Limit': '750', 'RateLimit-Remaining': '700', 'RateLimit-Reset': '30' }];
  }

  /** Requests made to one path (without query). */
  requestsTo(path: string): URL[] {
    return this.requests.filter((u) => u.pathname === path);
  }
}
