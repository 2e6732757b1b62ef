// Turns a catalog selection into what the sync needs per stream: the schema sent (selected fields only) and
// the shaper that makes each record fit it.
import { schemaProperties, streamSchema } from './catalog.js';
import { RecordShaper } from './fit.js';
import type { MismatchPolicy } from './fit-value.js';
import { log } from '../shared/log.js';
import type { JsonSchema } from './messages.js';
import type { KlaviyoStream } from '../engine/stream.js';
import type { SelectedStream } from '../engine/sync-types.js';

export function selectStreams(
  streams: readonly KlaviyoStream[],
  selection: ReadonlyMap<string, Set<string>>,
  policy: MismatchPolicy = 'warn',
): SelectedStream[] {
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
      const shaper = new RecordShaper({
        stream: stream.name,
        schema,
        known: new Set(schemaProperties(full)),
        keys: stream.keyProperties,
        policy,
        warn: (message) => log.warn(message),
      });
      return { stream, selected, schema, shaper };
    });
}
