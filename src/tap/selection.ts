// Turns a catalog selection into what the sync needs per stream: the schema sent (selected fields only),
// its validator, and the datetime fields to normalise.
import { schemaProperties, streamSchema } from './catalog.js';
import { newAjv } from './json.js';
import type { JsonSchema } from './messages.js';
import type { KlaviyoStream } from './stream.js';
import type { SelectedStream } from './sync.js';

export function selectStreams(streams: readonly KlaviyoStream[], selection: ReadonlyMap<string, Set<string>>): SelectedStream[] {
  const ajv = newAjv();
  return streams
    .filter((s) => selection.has(s.name))
    .map((stream) => {
      const selected = selection.get(stream.name) ?? new Set<string>();
      const full = streamSchema(stream);
      const properties = (full['properties'] ?? {}) as Record<string, JsonSchema>;
      const schema: JsonSchema = {
        ...full,
        properties: Object.fromEntries(Object.entries(properties).filter(([name]) => selected.has(name))),
      };
      const datetimeFields = Object.entries(properties)
        .filter(([name, p]) => selected.has(name) && p['format'] === 'date-time')
        .map(([name]) => name);
      return { stream, selected, known: new Set(schemaProperties(full)), schema, validate: ajv.compile(schema), datetimeFields };
    });
}
