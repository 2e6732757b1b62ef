// A table of resources held in memory: used for everything except events and profiles.
import type { Attributes, FieldKind, FieldValue, Ref, Table } from '../types.js';

export interface StaticRow {
  id: string;
  attributes: Attributes;
  /** Filter/sort values that are not plain attributes (datetimes as micros, relationship ids, ...). */
  values?: Record<string, FieldValue>;
  /** Additional fields (returned only when asked for), by name. */
  extras?: Attributes;
  toOne?: Record<string, Ref>;
  toMany?: Record<string, Ref[]>;
  /** Id of the parent resource for child endpoints (flow of a flow action, ...). */
  parentId?: string;
}

export class StaticTable implements Table {
  private readonly rowById = new Map<string, number>();
  private changes = 0;

  constructor(
    readonly type: string,
    readonly kinds: Readonly<Record<string, FieldKind>>,
    readonly toManyNames: readonly string[],
    readonly rows: StaticRow[],
  ) {
    rows.forEach((row, index) => this.rowById.set(row.id, index));
  }

  private row(index: number): StaticRow {
    const row = this.rows[index];
    if (!row) throw new Error(`${this.type}: no row ${index}`);
    return row;
  }

  size(): number {
    return this.rows.length;
  }

  version(): number {
    return this.changes;
  }

  /** Records that sort values or membership changed (invalidates cached orderings). */
  touch(): void {
    this.changes++;
  }

  id(index: number): string {
    return this.row(index).id;
  }

  /** Deletes the rows with these ids (references to them elsewhere are the caller's to drop). */
  remove(ids: ReadonlySet<string>): void {
    const kept = this.rows.filter((row) => !ids.has(row.id));
    this.rows.splice(0, this.rows.length, ...kept);
    this.rowById.clear();
    this.rows.forEach((row, index) => this.rowById.set(row.id, index));
    this.touch();
  }

  rowOf(id: string): number | undefined {
    return this.rowById.get(id);
  }

  value(index: number, field: string): FieldValue {
    const row = this.row(index);
    if (field === 'id' || field === 'ids') return row.id;
    const special = row.values?.[field];
    if (special !== undefined) return special;
    const plain = row.attributes[field];
    return isFieldValue(plain) ? plain : null;
  }

  attributes(index: number, extras: ReadonlySet<string>): Attributes {
    const row = this.row(index);
    if (!row.extras || extras.size === 0) return { ...row.attributes };
    const out: Attributes = { ...row.attributes };
    for (const name of extras) if (name in row.extras) out[name] = row.extras[name];
    return out;
  }

  toOne(index: number): Readonly<Record<string, Ref>> {
    return this.row(index).toOne ?? {};
  }

  toMany(index: number, relationship: string): readonly Ref[] {
    return this.row(index).toMany?.[relationship] ?? [];
  }

  /** Rows whose parent is `parentId`, as their own table (child endpoints). */
  childrenOf(parentId: string): Table {
    return new SubsetTable(this, this.rows.flatMap((row, index) => (row.parentId === parentId ? [index] : [])));
  }
}

function isFieldValue(value: unknown): value is FieldValue {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  return Array.isArray(value) && value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

/** A view of some rows of another table. */
export class SubsetTable implements Table {
  readonly type: string;
  readonly kinds: Readonly<Record<string, FieldKind>>;
  readonly toManyNames: readonly string[];

  constructor(
    private readonly source: Table,
    private readonly rows: readonly number[],
  ) {
    this.type = source.type;
    this.kinds = source.kinds;
    this.toManyNames = source.toManyNames;
  }

  private at(row: number): number {
    const index = this.rows[row];
    if (index === undefined) throw new Error(`${this.type}: no subset row ${row}`);
    return index;
  }

  size(): number {
    return this.rows.length;
  }
  version(): number {
    return this.source.version();
  }
  id(row: number): string {
    return this.source.id(this.at(row));
  }
  rowOf(id: string): number | undefined {
    const index = this.source.rowOf(id);
    const row = index === undefined ? -1 : this.rows.indexOf(index);
    return row < 0 ? undefined : row;
  }
  value(row: number, field: string): FieldValue {
    return this.source.value(this.at(row), field);
  }
  attributes(row: number, extras: ReadonlySet<string>): Attributes {
    return this.source.attributes(this.at(row), extras);
  }
  toOne(row: number): Readonly<Record<string, Ref>> {
    return this.source.toOne(this.at(row));
  }
  toMany(row: number, relationship: string): readonly Ref[] {
    return this.source.toMany(this.at(row), relationship);
  }
}
