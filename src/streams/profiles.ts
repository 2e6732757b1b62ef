// https://developers.klaviyo.com/en/reference/get_profiles
import { ProfileStream } from './profile-stream.js';

/** Profiles, incremental on `updated` (greater-than only: one-second overlap, deduplicated). */
export class Profiles extends ProfileStream {
  readonly name = 'profiles';
  readonly path = '/api/profiles';
  readonly description = 'Profiles; subscriptions and predictive_analytics only when selected';
  override readonly replicationKey = 'updated';
}
