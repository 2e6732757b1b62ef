// What a listing leaves out unless asked: Klaviyo's campaign and flow listings serve archived records only to a
// request that filters on `archived` (`equals(archived,true)`; `equals(archived,false)` is the default made explicit).
// Every other listing the simulator serves leaves nothing out. Each rule and its source: README.md, "Default
// visibility". Child endpoints (a campaign's messages, a flow's actions) and `include`d resources are not listings
// of the parent and are not narrowed.
import type { FilterExpr } from '../types.js';

interface HiddenByDefault {
  /** The boolean field whose `true` records are left out unless the request's filter names the field. */
  field: string;
}

const RULES: Readonly<Record<string, HiddenByDefault>> = {
  '/api/campaigns': { field: 'archived' },
  '/api/flows': { field: 'archived' },
};

/** The filters a listing is served with: the request's, plus `equals(<field>,false)` where a rule hides records by default. */
export function withDefaultVisibility(path: string, filters: FilterExpr[]): FilterExpr[] {
  const rule = RULES[path];
  if (!rule || filters.some((expr) => expr.field === rule.field)) return filters;
  return [...filters, { operator: 'equals', field: rule.field, value: { kind: 'boolean', value: false } }];
}
