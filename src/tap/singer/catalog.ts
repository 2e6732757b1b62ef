// Discovery (streams -> Singer catalog) and selection (catalog -> which streams and fields to sync).
import { ConfigError } from '../shared/errors.js';
import * as generated from '../../generated/validators.js';
import { assertValid, closest, readJsonFile, readSchemaFile, type Validator } from '../shared/json.js';
import type { JsonSchema } from './messages.js';
import { withAccountId } from '../account/account.js';
import { applyReplicationChoice } from './replication-choice.js';
import { overriddenSchema } from './schema-override.js';
import type { KlaviyoStream } from '../engine/stream.js';

type Metadata = Record<string, unknown>;
export interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  replication_method: 'INCREMENTAL' | 'FULL_TABLE';
  replication_key?: string;
  metadata: Array<{ breadcrumb: string[]; metadata: Metadata }>;
}
export interface Catalog {
  streams: CatalogEntry[];
}

const schemaCache = new Map<string, JsonSchema>();
const withAccountCache = new WeakMap<JsonSchema, JsonSchema>();

/**
 * The stream's full record schema (schemas/<name>.json, with `account_id` under `account_id_column`), with what a
 * catalog's `schema` changes in it (schema-override.ts).
 */
export function streamSchema(stream: KlaviyoStream): JsonSchema {
  return stream.schemaOverride ?? ownSchema(stream);
}

/** The tap's own schema of the stream, whatever a catalog says. */
function ownSchema(stream: KlaviyoStream): JsonSchema {
  const file = `${stream.schemaName ?? stream.name}.json`;
  let schema = schemaCache.get(file);
  if (!schema) {
    schema = readSchemaFile(file);
    schemaCache.set(file, schema);
  }
  if (!stream.accountIdColumn) return schema;
  let scoped = withAccountCache.get(schema);
  if (!scoped) {
    scoped = withAccountId(schema);
    withAccountCache.set(schema, scoped);
  }
  return scoped;
}

export function schemaProperties(schema: JsonSchema): string[] {
  return Object.keys((schema['properties'] as Record<string, unknown> | undefined) ?? {});
}

export function discover(streams: readonly KlaviyoStream[], schemaOf = streamSchema): Catalog {
  return { streams: streams.map((stream) => catalogEntry(stream, schemaOf(stream))) };
}

function catalogEntry(stream: KlaviyoStream, schema: JsonSchema): CatalogEntry {
  const automatic = new Set(stream.automaticFields);
  const method = stream.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE';
  const streamMetadata: Metadata = {
    inclusion: 'available',
    'selected-by-default': true,
    // Singer: a stream with a replication key offers both methods (the user picks with `replication-method`).
    ...(stream.replicationKey ? {} : { 'forced-replication-method': method }),
    'table-key-properties': stream.keyProperties,
    ...(stream.replicationKey ? { 'valid-replication-keys': [stream.replicationKey] } : {}),
    ...(stream.parent ? { 'parent-tap-stream-id': stream.parent.stream } : {}),
    'schema-name': stream.name,
  };
  return {
    tap_stream_id: stream.name,
    stream: stream.name,
    schema,
    key_properties: stream.keyProperties,
    replication_method: method,
    ...(stream.replicationKey ? { replication_key: stream.replicationKey } : {}),
    metadata: [
      { breadcrumb: [], metadata: streamMetadata },
      ...schemaProperties(schema).map((field) => ({
        breadcrumb: ['properties', field],
        metadata: automatic.has(field)
          ? { inclusion: 'automatic', 'selected-by-default': true }
          : { inclusion: 'available', 'selected-by-default': !stream.costlyFields.includes(field) },
      })),
    ],
  };
}

const validateCatalog = generated.catalog as Validator;

/** Reads a catalog file and returns, per selected stream id, its selected fields (automatic ones included). */
export function loadSelection(path: string, streams: readonly KlaviyoStream[]): Map<string, Set<string>> {
  const catalog = readJsonFile(path, '--catalog');
  assertValid<Catalog>(validateCatalog, catalog, `--catalog ${path}`);
  return selectionOf(catalog, streams);
}

/** Selection from a catalog: explicit `selected` wins, else `selected-by-default`. */
export function selectionOf(catalog: Catalog, streams: readonly KlaviyoStream[]): Map<string, Set<string>> {
  const byName = new Map(streams.map((s) => [s.name, s]));
  const selection = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const entry of catalog.streams) {
    const stream = byName.get(entry.tap_stream_id);
    if (!stream) {
      const guess = closest(entry.tap_stream_id, byName.keys());
      throw new ConfigError(
        `--catalog: stream "${entry.tap_stream_id}" is not a tap-klaviyo stream${guess ? `; did you mean "${guess}"?` : '; run --discover for the list'}`,
        'tap_stream_id',
      );
    }
    if (seen.has(stream.name)) throw new ConfigError(`--catalog: stream "${stream.name}" appears twice; keep one entry`, 'tap_stream_id');
    seen.add(stream.name);
    const meta = new Map(entry.metadata.map((m) => [m.breadcrumb.join('/'), m.metadata]));
    if (!isSelected(meta.get(''))) continue;
    applyReplicationChoice(stream, meta.get(''));
    const schema = overriddenSchema(stream.name, ownSchema(stream), entry.schema);
    stream.schemaOverride = schema === ownSchema(stream) ? null : schema;
    const automatic = new Set(stream.automaticFields);
    const fields = new Set<string>();
    for (const field of schemaProperties(streamSchema(stream))) {
      const m = meta.get(`properties/${field}`);
      if (automatic.has(field) || isSelected(m, !stream.costlyFields.includes(field))) fields.add(field);
    }
    selection.set(stream.name, fields);
  }
  return selection;
}

function isSelected(metadata: Metadata | undefined, fallback = false): boolean {
  if (!metadata) return fallback;
  if (metadata['inclusion'] === 'unsupported') return false;
  if (metadata['inclusion'] === 'automatic') return true;
  if (typeof metadata['selected'] === 'boolean') return metadata['selected'];
  if (typeof metadata['selected-by-default'] === 'boolean') return metadata['selected-by-default'];
  return fallback;
}

/** The selection a run without --catalog uses: every stream, with its default fields. */
export function defaultSelection(streams: readonly KlaviyoStream[]): Map<string, Set<string>> {
  return selectionOf(discover(streams), streams);
}
