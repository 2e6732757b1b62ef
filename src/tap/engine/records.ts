// JSON:API resource -> flat Singer record: `id`, attributes hoisted, each to-one relationship as `<name>_id`.
import type { Resource } from '../http/json-api.js';
import type { SingerRecord } from '../singer/messages.js';

/** `flow-action` -> `flow_action_id` */
export function relationshipField(name: string): string {
  let field = relationshipFields.get(name);
  if (field === undefined) {
    field = `${name.replace(/-/g, '_')}_id`;
    if (relationshipFields.size < 1000) relationshipFields.set(name, field);
  }
  return field;
}
const relationshipFields = new Map<string, string>();

export function flatten(resource: Resource): SingerRecord {
  const record: SingerRecord = { id: resource.id, ...(resource.attributes ?? {}) };
  const relationships = resource.relationships;
  for (const name in relationships) {
    const data = relationships[name]?.data;
    if (data && !Array.isArray(data)) record[relationshipField(name)] = data.id;
  }
  return record;
}

/** The sorted ids of a to-many relationship sent with `include` (null when the resource carries no such data). */
export function relatedIds(resource: Resource, name: string): string[] | null {
  const data = resource.relationships?.[name]?.data;
  return Array.isArray(data) ? data.map((ref) => ref.id).sort() : null;
}

/**
 * A record a stream's lane (KlaviyoStream.lane) wrote straight from the resource's text: `json` is the JSON of the
 * record as the shaper would have made it; `fields` holds what the run reads before writing (the id, the metric id the
 * audit counts), as the general path's record would hold them, and `value` the replication key's instant (toMicros
 * of the field as sent). `unknown`: the fields the schema lacks, which the shaper reports; `overflow`: the length of
 * the `,"_overflow":{...}` member that holds them at the end of `json` where it is selected (0: none).
 */
export class RenderedRecord {
  constructor(
    readonly fields: SingerRecord,
    readonly value: number | null,
    readonly json: string,
    readonly unknown: readonly string[] | null = null,
    readonly overflow = 0,
  ) {}

  /** The record's JSON as written, with `account` (`,"account_id":"..."` or '') where the shaper puts it: before `_overflow`. */
  text(account = ''): string {
    if (account === '') return this.json;
    const at = this.json.length - 1 - this.overflow;
    return `${this.json.slice(0, at)}${account}${this.json.slice(at)}`;
  }
}
