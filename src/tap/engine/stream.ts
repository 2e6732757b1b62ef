// The base stream: a stream class is mostly data (path, keys, replication, parent); the engine (sync.ts)
// does the rest. Override a method only where Klaviyo truly behaves differently for that stream.
import { ENDPOINTS } from '../../generated/endpoints.js';
import { budgetOf, type EndpointFacts } from '../http/endpoint-facts.js';
import type { Filter } from './filters.js';
import type { BudgetKey, Resource } from '../http/json-api.js';
import type { JsonSchema, SingerRecord } from '../singer/messages.js';
import type { Page } from '../http/paginate.js';
import { parentIds } from './parents.js';
import { flatten, relatedIds } from './records.js';
import { ACCOUNT_ID, ACCOUNTS_PATH, type Lane, type MetricLookup, type ParentSpec, type Partition, type StreamRuntime } from './stream-types.js';

export abstract class KlaviyoStream {
  /** Stream id = file name = schema name. */
  abstract readonly name: string;
  /** Path template of the collection endpoint (a key of the generated ENDPOINTS). */
  abstract readonly path: string;
  /** One line for the README and --about. */
  abstract readonly description: string;
  /** Record field the stream replicates on; null for FULL_TABLE. */
  readonly replicationKey: string | null = null;
  /** API field to filter and sort on when it differs from the record field. */
  readonly replicationApiField: string | null = null;
  /**
   * Whether the API's order on the replication field is the records' order. False where a record is one element
   * of an array the API sorts by as a whole: such a stream bookmarks only when a partition is finished.
   */
  readonly sortsByKey: boolean = true;
  /**
   * Klaviyo's removals are invisible to this stream's incremental reads (list and segment members, suppressions):
   * every `full_refresh_days` a run re-reads it in full under a new table version (versions.ts).
   */
  readonly refreshedInFull: boolean = false;
  /** A FULL_TABLE stream small enough to keep its ids in state, to send deleted records (`emit_deleted_records`). */
  readonly smallTable: boolean = false;
  /** Event streams re-read `lookback_days` before the bookmark. */
  readonly lateArriving: boolean = false;
  readonly parent: ParentSpec | null = null;
  /**
   * Klaviyo's listing hides archived records unless filtered `equals(archived,true)`: the engine reads each
   * partition on both sides, each with its own bookmark, and every `full_reread_days` each side in full (archived.ts).
   */
  readonly archivedSide: boolean = false;
  /** Fields the record has beyond the API resource and the parent key (e.g. `metric_name`), with their schemas. */
  readonly extraFields: Readonly<Record<string, JsonSchema>> = {};
  /** Fields that cost extra requests or a lower rate tier: not selected unless asked for. */
  readonly costlyFields: readonly string[] = [];
  /** Field -> the `additional-fields[type]` it must be requested with. */
  readonly additionalFields: Readonly<Record<string, string>> = {};
  /**
   * Record field -> to-many relationship whose ids it lists (sorted), e.g. `tag_ids: 'tags'`: asked for with
   * `include=<relationship>` only when the field is selected.
   */
  readonly relatedIdFields: Readonly<Record<string, string>> = {};
  /** Only these attributes of the API resource are record fields (null: all of them). */
  readonly resourceFields: readonly string[] | null = null;
  /** Schema file when it differs from the stream id (streams defined in the config). */
  readonly schemaName: string | null = null;
  /** The metric the stream reads, looked up by name before any stream starts (account-names.ts). */
  readonly metricLookup: MetricLookup | null = null;

  /** Whether the stream counts conversions with `conversion_metric` (looked up before any stream starts). */
  get needsConversionMetric(): boolean {
    return false;
  }

  /**
   * `account_id_column`: records carry `account_id`, which leads the key, so several accounts share one table.
   * Set from the config when the streams are made (registry `allStreams`).
   */
  accountIdColumn = false;

  /**
   * The catalog forces a stream that has a replication key to FULL_TABLE (`replication-method`): no bookmark is
   * read or written, it reads from start_date every run, under a table version. Set by the selection.
   */
  fullTable = false;

  /** The catalog's `schema` laid over the tap's (schema-override.ts), when it changes anything. Set by the selection. */
  schemaOverride: JsonSchema | null = null;

  /** The method the sync uses: INCREMENTAL on the replication key, unless the stream has none or the catalog chose FULL_TABLE. */
  get replicationMethod(): 'INCREMENTAL' | 'FULL_TABLE' {
    return this.replicationKey !== null && !this.fullTable ? 'INCREMENTAL' : 'FULL_TABLE';
  }

  /** Whether bookmarks are read and written (INCREMENTAL). */
  get bookmarked(): boolean {
    return this.replicationMethod === 'INCREMENTAL';
  }

  /** `id`, or `[<parent>_id, id]` for a child stream, whose ids repeat across parents. */
  get primaryKey(): readonly string[] {
    return this.parent ? [this.parent.key, 'id'] : ['id'];
  }

  /** The key targets get (SCHEMA `key_properties`, catalog `table-key-properties`): `primaryKey`, after `account_id` with `account_id_column`. */
  get keyProperties(): string[] {
    return this.accountIdColumn ? [ACCOUNT_ID, ...this.primaryKey] : [...this.primaryKey];
  }

  /** Every field beyond the API resource: the parent key and the stream's own extras. */
  get extraProperties(): Record<string, JsonSchema> {
    const parentKey = this.parent
      ? { [this.parent.key]: { type: 'string', description: `The ${this.parent.resourceType} this record belongs to` } }
      : {};
    const related = Object.fromEntries(
      Object.entries(this.relatedIdFields).map(([field, rel]) => [field, { type: 'array', items: { type: 'string' }, description: `Ids of the related ${rel}, sorted` }]),
    );
    return { ...parentKey, ...this.extraFields, ...related };
  }

  get facts(): EndpointFacts {
    const facts = ENDPOINTS[this.path];
    if (!facts) throw new Error(`stream ${this.name}: ${this.path} is not a GET collection endpoint of the spec`);
    return facts;
  }

  /** Scopes a key needs to read this stream (its parents' listings too, at every level). */
  get scopes(): string[] {
    const parents: string[] = [];
    for (let p = this.parent; p; p = p.parent ?? null) parents.push(...(ENDPOINTS[p.path]?.scopes ?? []));
    const account = this.accountIdColumn ? (ENDPOINTS[ACCOUNTS_PATH]?.scopes ?? []) : [];
    return [...new Set([...this.facts.scopes, ...parents, ...account])].sort();
  }

  get filterField(): string | null {
    return this.replicationApiField ?? this.replicationKey;
  }

  /** The fields the catalog marks automatic: keys, replication key, parent key. */
  get automaticFields(): string[] {
    return [...new Set([...this.keyProperties, ...(this.replicationKey ? [this.replicationKey] : [])])];
  }

  /** The partitions to sync: one, or one per parent resource. */
  async *partitions(rt: StreamRuntime): AsyncGenerator<Partition> {
    if (!this.parent) {
      yield { context: {}, pathParams: {} };
      return;
    }
    for await (const parent of parentIds(rt, this.parent, rt.parentsChangedSince)) yield { context: parent.context, pathParams: { id: parent.id } };
  }

  /** Filters that always apply (besides the replication window); null = nothing to sync for this partition. */
  async filters(_partition: Partition, _rt: StreamRuntime): Promise<Filter[] | null> {
    return [];
  }

  /** Query parameters besides filter, sort and page size (include, additional-fields). */
  params(rt: StreamRuntime): Record<string, string> {
    const byType = new Map<string, string[]>();
    for (const [field, type] of Object.entries(this.additionalFields)) {
      if (rt.selected.has(field)) byType.set(type, [...(byType.get(type) ?? []), field]);
    }
    const params = Object.fromEntries([...byType].map(([type, fields]) => [`additional-fields[${type}]`, fields.join(',')]));
    const includes = Object.entries(this.relatedIdFields).filter(([field]) => rt.selected.has(field)).map(([, rel]) => rel);
    return includes.length > 0 ? { ...params, include: includes.join(',') } : params;
  }

  /** Which budget the requests draw on (some extras move an endpoint to a lower tier). */
  budget(_rt: StreamRuntime): BudgetKey {
    return budgetOf(this.facts);
  }

  /**
   * The lane for records shaped to `schema` (the schema sent), or null: most streams have none, and every record
   * goes the general way (toRecords, then the shaper).
   */
  lane(_rt: StreamRuntime, _schema: JsonSchema): Lane | null {
    return null;
  }

  /** Records for one resource of a page: by default, the flattened resource plus the parent key. */
  toRecords(resource: Resource, _page: Page, partition: Partition, rt: StreamRuntime): SingerRecord[] {
    const record = flatten(resource);
    for (const field in this.relatedIdFields) if (rt.selected.has(field)) record[field] = relatedIds(resource, this.relatedIdFields[field] ?? '');
    return [this.parent ? { ...partition.context, ...record } : record];
  }

  /** The collection path with `{id}` filled in. */
  resolvePath(partition: Partition): string {
    return this.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(partition.pathParams[name] ?? ''));
  }
}
