// The GET collection endpoints the simulator serves (and their `/relationships/` variants), matched against
// request paths with or without one trailing slash.
import type { EndpointFacts } from '../../tap/http/endpoint-facts.js';
import { ENDPOINTS } from '../../generated/endpoints.js';
import type { Table } from '../types.js';
import type { World } from '../world/world.js';
import { relationshipSpecs } from './relationships.js';
import type { RouteSpec } from './route-spec.js';

export interface Route {
  facts: EndpointFacts;
  primaryType: string;
  defaultSort: string;
  fixedPageSize: number;
  /** A `/relationships/` endpoint: answers ids only (see relationships.ts). */
  relationship?: 'to-one' | 'to-many';
  /** The table to page, or undefined when the parent id is unknown (404). */
  table(world: World, parentId: string): Table | undefined;
}

const SPECS: readonly RouteSpec[] = [
  { path: '/api/accounts', type: 'account', table: (w) => w.account },
  { path: '/api/events', type: 'event', defaultSort: 'datetime', table: (w) => w.events },
  { path: '/api/metrics', type: 'metric', fixedPageSize: 200, table: (w) => w.metrics },
  { path: '/api/profiles', type: 'profile', table: (w) => w.profiles },
  { path: '/api/lists', type: 'list', table: (w) => w.lists },
  { path: '/api/lists/{id}/profiles', type: 'profile', defaultSort: 'joined_group_at', table: (w, id) => w.listMembers.get(id) },
  { path: '/api/segments', type: 'segment', table: (w) => w.segments },
  { path: '/api/segments/{id}/profiles', type: 'profile', defaultSort: 'joined_group_at', table: (w, id) => w.segmentMembers.get(id) },
  { path: '/api/campaigns', type: 'campaign', table: (w) => w.campaigns },
  { path: '/api/campaigns/{id}/campaign-messages', type: 'campaign-message', table: (w, id) => (w.campaigns.rowOf(id) === undefined ? undefined : w.campaignMessages.childrenOf(id)) },
  { path: '/api/flows', type: 'flow', table: (w) => w.flows },
  { path: '/api/flows/{id}/flow-actions', type: 'flow-action', table: (w, id) => (w.flows.rowOf(id) === undefined ? undefined : w.flowActions.childrenOf(id)) },
  { path: '/api/flow-actions/{id}/flow-messages', type: 'flow-message', table: (w, id) => (w.flowActions.rowOf(id) === undefined ? undefined : w.flowMessages.childrenOf(id)) },
  { path: '/api/templates', type: 'template', table: (w) => w.templates },
  { path: '/api/tags', type: 'tag', table: (w) => w.tags },
  { path: '/api/coupons', type: 'coupon', table: (w) => w.coupons },
  { path: '/api/coupon-codes', type: 'coupon-code', table: (w) => w.couponCodes },
  { path: '/api/catalog-items', type: 'catalog-item', table: (w) => w.catalogItems },
  { path: '/api/catalog-variants', type: 'catalog-variant', table: (w) => w.catalogVariants },
  { path: '/api/catalog-categories', type: 'catalog-category', table: (w) => w.catalogCategories },
  { path: '/api/images', type: 'image', table: (w) => w.images },
  { path: '/api/forms', type: 'form', table: (w) => w.forms },
  { path: '/api/forms/{id}/form-versions', type: 'form-version', table: (w, id) => (w.forms.rowOf(id) === undefined ? undefined : w.formVersions.childrenOf(id)) },
  { path: '/api/tag-groups', type: 'tag-group', table: (w) => w.tagGroups },
  { path: '/api/metrics/{id}/metric-properties', type: 'metric-property', table: (w, id) => (w.metrics.rowOf(id) === undefined ? undefined : w.metricProperties.childrenOf(id)) },
  { path: '/api/custom-metrics', type: 'custom-metric', table: (w) => w.customMetrics },
  { path: '/api/mapped-metrics', type: 'mapped-metric', table: (w) => w.mappedMetrics },
  { path: '/api/push-tokens', type: 'push-token', table: (w) => w.pushTokens },
  { path: '/api/reviews', type: 'review', table: (w) => w.reviews },
  { path: '/api/template-universal-content', type: 'template-universal-content', table: (w) => w.universalContent },
  { path: '/api/webhooks', type: 'webhook', table: (w) => w.webhooks },
  { path: '/api/web-feeds', type: 'web-feed', table: (w) => w.webFeeds },
];

function toRoute(spec: RouteSpec): Route {
  const facts = ENDPOINTS[spec.path];
  if (!facts) throw new Error(`no endpoint facts for ${spec.path}`);
  return {
    facts,
    primaryType: spec.type,
    defaultSort: spec.defaultSort ?? 'id',
    fixedPageSize: spec.fixedPageSize ?? Infinity,
    ...(spec.relationship ? { relationship: spec.relationship } : {}),
    table: spec.table,
  };
}

const ALL_SPECS: readonly RouteSpec[] = [...SPECS, ...relationshipSpecs(SPECS)];

/** Path templates of every endpoint served (the generator reads them before the facts exist). */
export const SERVED_PATHS: readonly string[] = ALL_SPECS.map((spec) => spec.path);

let routes: readonly Route[] | null = null;

/** Every route, with its facts (built on first use, so the generator can import this module before they exist). */
export function allRoutes(): readonly Route[] {
  return (routes ??= ALL_SPECS.map(toRoute));
}

export interface RouteMatch {
  route: Route;
  parentId: string;
}

/** Matches a request path (one trailing slash allowed) to a route; ids are URL-decoded. */
export function matchRoute(pathname: string): RouteMatch | null {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const segments = path.split('/');
  for (const route of allRoutes()) {
    const template = route.facts.path.split('/');
    if (template.length !== segments.length) continue;
    let parentId = '';
    const same = template.every((part, i) => {
      const actual = segments[i] ?? '';
      if (part !== '{id}') return part === actual;
      try {
        parentId = decodeURIComponent(actual);
      } catch {
        return false;
      }
      return actual !== '';
    });
    if (same) return { route, parentId };
  }
  return null;
}
