// What every profile-shaped stream (profiles, list and segment members) shares: the costly extras
// `subscriptions` and `predictive_analytics`, asked for only when selected, and the lower rate tier Klaviyo
// applies when predictive analytics are requested.
import type { BudgetKey } from '../tap/http/json-api.js';
import { budgetOf } from '../tap/http/endpoint-facts.js';
import { KlaviyoStream } from '../tap/engine/stream.js';
import type { ParentSpec, StreamRuntime } from '../tap/engine/stream-types.js';

/** Klaviyo: requesting predictive_analytics drops these endpoints to 10/s and 150/m. */
const PREDICTIVE_TIER = { perSecond: 10, perMinute: 150 };

export abstract class ProfileStream extends KlaviyoStream {
  override readonly additionalFields: Readonly<Record<string, string>> = { subscriptions: 'profile', predictive_analytics: 'profile' };
  override readonly costlyFields: readonly string[] = ['subscriptions', 'predictive_analytics'];

  override budget(rt: StreamRuntime): BudgetKey {
    const base = budgetOf(this.facts);
    return rt.selected.has('predictive_analytics') ? { ...base, id: `${base.id}+predictive_analytics`, tier: PREDICTIVE_TIER } : base;
  }
}

/** Members of a group (list or segment): one partition and bookmark per group; key [<group>_id, id]. */
export abstract class GroupMembers extends ProfileStream {
  abstract override readonly parent: ParentSpec;
  override readonly replicationKey: string = 'joined_group_at';
  override readonly refreshedInFull = true;
}
