// JSON:API resource -> flat Singer record: `id`, attributes hoisted, each to-one relationship as `<name>_id`.
import type { Resource } from './http.js';
import type { SingerRecord } from './messages.js';
import { normalizeDatetime } from './time.js';

/** `flow-action` -> `flow_action_id` */
export function relationshipField(name: string): string {
  return `${name.replace(/-/g, '_')}_id`;
}

export function flatten(resource: Resource): SingerRecord {
  const record: SingerRecord = { id: resource.id, ...(resource.attributes ?? {}) };
  for (const [name, rel] of Object.entries(resource.relationships ?? {})) {
    const data = rel.data;
    if (data && !Array.isArray(data)) record[relationshipField(name)] = data.id;
  }
  return record;
}

/**
 * Keeps the fields the schema knows (selected ones), rewriting top-level datetimes in UTC `Z` form.
 * Returns the record and the names of fields the schema did not have (to be warned about, never silently lost).
 */
export function project(
  record: SingerRecord,
  selected: ReadonlySet<string>,
  known: ReadonlySet<string>,
  datetimeFields: readonly string[],
): { record: SingerRecord; unknown: string[] } {
  const out: SingerRecord = {};
  const unknownFields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (selected.has(key)) out[key] = value;
    else if (!known.has(key)) unknownFields.push(key);
  }
  for (const field of datetimeFields) {
    const value = out[field];
    if (typeof value === 'string') out[field] = normalizeDatetime(value);
  }
  return { record: out, unknown: unknownFields };
}
