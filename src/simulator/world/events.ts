// Events: compact typed columns sorted by datetime (seconds), plus a small overlay of events added by
// mutations. An event's id, uuid and properties are derived from (seed, row) only when it is rendered.
import { MICROS_PER_SECOND, formatSeconds } from '../datetime.js';
import { base62, fromBase62, uuidFrom } from '../ids.js';
import { hash32, unit } from '../rng.js';
import { numericBounds } from '../query/filter-eval.js';
import type { Attributes, FieldValue, FilterExpr, Ref, SortKey, SortSpec, Table } from '../types.js';
import type { EventColumns } from './event-gen.js';
import { eventProperties, type EmailSource, type Product } from './event-properties.js';
import { scanEvents, type EventOrder } from './event-scan.js';
import type { ProfileTable } from './profiles.js';
import type { StaticTable } from './static-table.js';

const ID_SPREAD = 238_328; // 62^3: random low digits under an order-preserving high part
const ID_OFFSET = 17 * 62 ** 8;
/** Share of Placed Order events Klaviyo credits to an email (`$attribution`). */
const ATTRIBUTED_ORDERS = 0.3;

export interface EventLinks {
  metrics: StaticTable;
  /** Per metric row: Klaviyo's current name of the metric (what it is, whatever the account calls it). */
  kinds: readonly string[];
  profiles: ProfileTable;
  sources: readonly EmailSource[];
  products: readonly Product[];
}

export class EventTable implements Table, EventOrder {
  readonly type = 'event';
  readonly kinds = { datetime: 'datetime', timestamp: 'number', metric_id: 'string', profile_id: 'string', profile: 'string', metric: 'string' } as const;
  readonly toManyNames: readonly string[] = ['attributions'];
  readonly baseCount: number;
  private readonly extra = { sec: [] as number[], metric: [] as number[], profile: [] as number[], source: [] as number[] };
  /** Overlay rows sorted by (sec, row). */
  readonly overlayOrder: number[] = [];

  constructor(
    private readonly seed: number,
    private readonly base: EventColumns,
    private readonly links: EventLinks,
  ) {
    this.baseCount = base.count;
  }

  /** Adds an event (a mutation); returns its row. */
  add(sec: number, metric: number, profile: number, source: number): number {
    const row = this.baseCount + this.extra.sec.length;
    this.extra.sec.push(sec);
    this.extra.metric.push(metric);
    this.extra.profile.push(profile);
    this.extra.source.push(source);
    let at = this.overlayOrder.length;
    while (at > 0 && this.secOf(this.overlayOrder[at - 1] ?? 0) > sec) at--;
    this.overlayOrder.splice(at, 0, row);
    return row;
  }

  private column(name: 'sec' | 'metric' | 'profile' | 'source', row: number): number {
    return row < this.baseCount ? (this.base[name][row] ?? 0) : (this.extra[name][row - this.baseCount] ?? 0);
  }

  sourceCount(): number {
    return this.links.sources.length;
  }

  secOf(row: number): number {
    return this.column('sec', row);
  }
  metricOf(row: number): number {
    return this.column('metric', row);
  }
  profileOf(row: number): number {
    return this.column('profile', row);
  }
  baseSec(index: number): number {
    return this.base.sec[index] ?? 0;
  }

  size(): number {
    return this.baseCount + this.extra.sec.length;
  }
  version(): number {
    return this.extra.sec.length;
  }
  id(row: number): string {
    return base62(ID_OFFSET + row * ID_SPREAD + (hash32(this.seed, 501, row) % ID_SPREAD), 9);
  }
  rowOf(id: string): number | undefined {
    const value = fromBase62(id);
    if (value === null || id.length !== 9) return undefined;
    const row = Math.floor((value - ID_OFFSET) / ID_SPREAD);
    return row >= 0 && row < this.size() && this.id(row) === id ? row : undefined;
  }

  metricId(row: number): string {
    return this.links.metrics.id(this.metricOf(row));
  }
  /** The metric's name as the account shows it. */
  metricName(row: number): string {
    return String(this.links.metrics.rows[this.metricOf(row)]?.attributes['name'] ?? '');
  }
  /** What the metric is: Klaviyo's current name for it (an older account may show an earlier one). */
  metricKind(row: number): string {
    return this.links.kinds[this.metricOf(row)] ?? '';
  }

  /** The campaign or flow message an email event is about. */
  emailSourceOf(row: number): EmailSource | null {
    const source = this.column('source', row);
    return source > 0 ? (this.links.sources[source - 1] ?? null) : null;
  }

  /** The message about a third of orders are credited to: one sent before the order (any flow message runs any time). */
  attributionOf(row: number): EmailSource | null {
    if (this.metricKind(row) !== 'Placed Order' || this.links.sources.length === 0 || unit(this.seed, 630, row) >= ATTRIBUTED_ORDERS) return null;
    const source = this.links.sources[hash32(this.seed, 631, row) % this.links.sources.length] ?? null;
    return source && !(source.sendSec > this.secOf(row)) ? source : null;
  }

  value(row: number, field: string): FieldValue {
    switch (field) {
      case 'datetime':
        return this.secOf(row) * MICROS_PER_SECOND;
      case 'timestamp':
        return this.secOf(row);
      case 'metric_id':
      case 'metric':
        return this.metricId(row);
      case 'profile_id':
      case 'profile':
        return this.links.profiles.id(this.profileOf(row));
      default:
        return field === 'id' ? this.id(row) : null;
    }
  }

  attributes(row: number): Attributes {
    const sec = this.secOf(row);
    const properties = eventProperties({
      seed: this.seed,
      row,
      metricName: this.metricKind(row),
      source: this.emailSourceOf(row),
      attribution: this.attributionOf(row),
      profileEmail: this.links.profiles.value(this.profileOf(row), 'email') as string | null,
      products: this.links.products,
    });
    return { timestamp: sec, event_properties: properties, datetime: formatSeconds(sec), uuid: uuidFrom(this.seed, 502, row) };
  }

  toOne(row: number): Readonly<Record<string, Ref>> {
    return {
      metric: { type: 'metric', id: this.metricId(row) },
      profile: { type: 'profile', id: this.links.profiles.id(this.profileOf(row)) },
    };
  }
  toMany(): readonly Ref[] {
    return [];
  }

  scan(sort: SortSpec, after: SortKey | null, filters: readonly FilterExpr[]): Iterable<number> {
    const micros = numericBounds(filters, 'datetime');
    const seconds = numericBounds(filters, 'timestamp');
    const low = Math.max(Math.floor(micros.low / MICROS_PER_SECOND), Math.floor(seconds.low));
    const high = Math.min(Math.ceil(micros.high / MICROS_PER_SECOND), Math.ceil(seconds.high));
    const position = after ? { sec: sort.field === 'datetime' ? Math.floor(Number(after.value) / MICROS_PER_SECOND) : Number(after.value), row: this.rowOf(after.id) ?? -1 } : null;
    return this.prefiltered(scanEvents(this, sort.descending, position, { low, high }), filters);
  }

  /** Cheap column checks for `equals(metric_id|profile_id, ...)` before the generic filter runs. */
  private *prefiltered(rows: Iterable<number>, filters: readonly FilterExpr[]): Generator<number> {
    const wanted = (field: string, lookup: (id: string) => number | undefined): number | null => {
      const expr = filters.find((f) => f.field === field && f.operator === 'equals');
      const literal = expr?.value;
      if (!literal || Array.isArray(literal) || literal.kind !== 'string') return null;
      return lookup(literal.value) ?? -1;
    };
    const metric = wanted('metric_id', (id) => this.links.metrics.rowOf(id));
    const profile = wanted('profile_id', (id) => this.links.profiles.rowOf(id));
    for (const row of rows) {
      if (metric !== null && this.metricOf(row) !== metric) continue;
      if (profile !== null && this.profileOf(row) !== profile) continue;
      yield row;
    }
  }
}
