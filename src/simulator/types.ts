// The shapes shared by the world (generated data), the query engine and the HTTP layer.

export type Scalar = string | number | boolean | null;
/** What filters and sorts see for a field: a scalar, or a list (matches when any element does). */
export type FieldValue = Scalar | readonly Scalar[];
/** How a filterable field's literals are typed. `datetime` values are microseconds since the epoch. */
export type FieldKind = 'string' | 'datetime' | 'number' | 'boolean';

export interface Ref {
  type: string;
  id: string;
}

export type Attributes = Record<string, unknown>;

/** A keyset position: the sort value and the id of the last record of a page. */
export interface SortKey {
  value: Scalar;
  id: string;
}

export interface SortSpec {
  field: string;
  descending: boolean;
}

/** A parsed filter literal. */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'datetime'; value: number; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export interface FilterExpr {
  operator: string;
  field: string;
  /** One literal, a list (for `any`), or nothing (for `has`). */
  value: Literal | Literal[] | null;
}

/**
 * A collection of JSON:API resources of one type, addressed by row number 0..size()-1.
 * Implementations may render rows lazily (events, profiles) or hold them (small resources).
 */
export interface Table {
  readonly type: string;
  /** Kinds of the fields filters may use. */
  readonly kinds: Readonly<Record<string, FieldKind>>;
  /** Names of the to-many relationships the spec declares for this type. */
  readonly toManyNames: readonly string[];
  size(): number;
  /** Changes whenever rows are added or sort values change. */
  version(): number;
  id(row: number): string;
  rowOf(id: string): number | undefined;
  /** The value filters and sorts see; datetimes as microseconds. */
  value(row: number, field: string): FieldValue;
  /** API attributes; `extras` are the additional fields asked for. */
  attributes(row: number, extras: ReadonlySet<string>): Attributes;
  toOne(row: number): Readonly<Record<string, Ref>>;
  toMany(row: number, relationship: string): readonly Ref[];
  /** Optional fast path: rows in sort order strictly after `after`, possibly narrowed by the filters. */
  scan?(sort: SortSpec, after: SortKey | null, filters: readonly FilterExpr[]): Iterable<number>;
}
