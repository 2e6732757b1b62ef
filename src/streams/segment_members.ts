// https://developers.klaviyo.com/en/reference/get_profiles_for_segment
import { GroupMembers } from './profile-stream.js';

/** Members of every segment, with the member profile; removals are invisible to incremental sync (see versions.ts). */
export class SegmentMembers extends GroupMembers {
  readonly name = 'segment_members';
  readonly path = '/api/segments/{id}/profiles';
  readonly description = 'Segment memberships with the member profile (new joins incrementally; removals at each full refresh)';
  readonly parent = { stream: 'segments', path: '/api/segments', resourceType: 'segment', cheapField: 'name', key: 'segment_id' };
}
