// Keyset ordering: rows sorted by (sort value, id); a page starts strictly after the last key served,
// so rows inserted or changed elsewhere never shift the rows that did not change.
import type { FieldValue, Scalar, SortKey, SortSpec, Table } from '../types.js';

/** The value a row sorts by: lists sort by their largest element, empty lists like null. */
export function sortValue(value: FieldValue): Scalar {
  if (!Array.isArray(value)) return value as Scalar;
  let best: Scalar = null;
  for (const v of value as readonly Scalar[]) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

function compareValues(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Nulls first, then by value, ties by id. */
export function compareKeys(a: SortKey, b: SortKey): number {
  const byValue = compareValues(a.value, b.value);
  if (byValue !== 0) return byValue;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function keyOf(table: Table, row: number, field: string): SortKey {
  return { value: sortValue(table.value(row, field)), id: table.id(row) };
}

interface SortedIndex {
  version: number;
  size: number;
  order: Int32Array;
  keys: SortKey[];
}

const cache = new WeakMap<Table, Map<string, SortedIndex>>();

function sortedIndex(table: Table, field: string): SortedIndex {
  let byField = cache.get(table);
  if (!byField) cache.set(table, (byField = new Map()));
  const cached = byField.get(field);
  if (cached && cached.version === table.version() && cached.size === table.size()) return cached;
  const size = table.size();
  const keys = Array.from({ length: size }, (_, row) => keyOf(table, row, field));
  const order = Int32Array.from({ length: size }, (_, row) => row).sort((a, b) => compareKeys(keys[a] as SortKey, keys[b] as SortKey));
  const built = { version: table.version(), size, order, keys };
  byField.set(field, built);
  return built;
}

/** First position in `order` whose key is greater than `after`. */
function upperBound(index: SortedIndex, after: SortKey): number {
  let low = 0;
  let high = index.order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(index.keys[index.order[mid] as number] as SortKey, after) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First position whose key is not less than `before` (rows before it are strictly smaller). */
function lowerBound(index: SortedIndex, before: SortKey): number {
  let low = 0;
  let high = index.order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(index.keys[index.order[mid] as number] as SortKey, before) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Rows in sort order, strictly after the `after` key (in the direction of the sort). */
export function* orderedRows(table: Table, sort: SortSpec, after: SortKey | null): Generator<number> {
  const index = sortedIndex(table, sort.field);
  if (!sort.descending) {
    for (let p = after ? upperBound(index, after) : 0; p < index.order.length; p++) yield index.order[p] as number;
    return;
  }
  for (let p = (after ? lowerBound(index, after) : index.order.length) - 1; p >= 0; p--) yield index.order[p] as number;
}
