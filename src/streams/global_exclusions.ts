// Profiles suppressed from email marketing: /api/profiles filtered on the suppression
// (https://developers.klaviyo.com/en/reference/get_profiles), the replacement of v1 /people/exclusions.
import type { GlobalExclusionsRecord } from '../generated/records.js';
import { f, type Filter } from '../tap/engine/filters.js';
import type { Resource } from '../tap/http/json-api.js';
import type { SingerRecord } from '../tap/singer/messages.js';
import { KlaviyoStream } from '../tap/engine/stream.js';
import type { Partition, StreamRuntime } from '../tap/engine/stream-types.js';
import { toMicros } from '../tap/shared/time.js';

const REASONS = ['HARD_BOUNCE', 'INVALID_EMAIL', 'SPAM_COMPLAINT', 'UNSUBSCRIBE', 'USER_SUPPRESSED'] as const;
const SUPPRESSION = 'subscriptions.email.marketing.suppression';

function micros(value: unknown): number {
  return (typeof value === 'string' ? toMicros(value) : null) ?? 0;
}

interface Suppression {
  reason?: unknown;
  timestamp?: unknown;
}

/**
 * One record per (profile, suppression reason), for all five reasons, incremental on the suppression time.
 * A lifted suppression sends no delete: the full refresh every `full_refresh_days` drops it (versions.ts).
 */
export class GlobalExclusions extends KlaviyoStream {
  readonly name = 'global_exclusions';
  readonly path = '/api/profiles';
  readonly description = 'Profiles suppressed from email marketing, one row per suppression reason, with its timestamp';
  override readonly replicationKey = 'timestamp';
  override readonly replicationApiField = `${SUPPRESSION}.timestamp`;
  override readonly resourceFields = ['email', 'phone_number', 'external_id'];
  /** Klaviyo sorts a profile by its suppression list as a whole, not by this reason's timestamp. */
  override readonly sortsByKey = false;
  /** A lifted suppression is invisible to an incremental read: a full refresh every `full_refresh_days`. */
  override readonly refreshedInFull = true;
  override readonly extraFields = {
    reason: { type: 'string', description: REASONS.join(', ') },
    timestamp: { type: 'string', format: 'date-time', description: 'When the profile was suppressed for this reason' },
  };

  override get primaryKey(): readonly string[] {
    return ['id', 'reason'];
  }

  override async *partitions(): AsyncGenerator<Partition> {
    for (const reason of REASONS) yield { context: { reason }, pathParams: {} };
  }

  override async filters(partition: Partition): Promise<Filter[]> {
    return [f.equals(`${SUPPRESSION}.reason`, partition.context['reason'] ?? '')];
  }

  override params(_rt: StreamRuntime): Record<string, string> {
    return { 'additional-fields[profile]': 'subscriptions', 'fields[profile]': 'email,phone_number,external_id,subscriptions.email.marketing.suppression' };
  }

  override toRecords(resource: Resource, _page: unknown, partition: Partition): SingerRecord[] {
    const attributes = resource.attributes ?? {};
    const email = (attributes['subscriptions'] as { email?: { marketing?: { suppression?: Suppression[] | null } } } | undefined)?.email;
    const entries = (email?.marketing?.suppression ?? []).filter((s) => s.reason === partition.context['reason']);
    // One row per (profile, reason): should the API list a reason twice, the latest suppression stands.
    const latest = entries.sort((a, b) => micros(b.timestamp) - micros(a.timestamp)).slice(0, 1);
    // Values pass as sent: the record shaper converts or keeps in _overflow whatever does not fit the schema.
    return latest.map((s): Partial<Record<keyof GlobalExclusionsRecord, unknown>> => ({
      id: resource.id,
      email: attributes['email'] ?? null,
      phone_number: attributes['phone_number'] ?? null,
      external_id: attributes['external_id'] ?? null,
      reason: String(s.reason),
      timestamp: String(s.timestamp),
    }));
  }
}
