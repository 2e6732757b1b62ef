// https://developers.klaviyo.com/en/reference/get_profiles_for_list
import { GroupMembers } from './profile-stream.js';

/** Members of every list, with the member profile; removals are invisible to incremental sync (see versions.ts). */
export class ListMembers extends GroupMembers {
  readonly name = 'list_members';
  readonly path = '/api/lists/{id}/profiles';
  readonly description = 'List memberships with the member profile (new joins incrementally; removals at each full refresh)';
  readonly parent = { stream: 'lists', path: '/api/lists', resourceType: 'list', cheapField: 'name', key: 'list_id' };
}
