// Selects one page of rows: walk in keyset order after the cursor, keep rows that match the filters,
// stop one past the page size to know whether a next page exists.
import type { SortKey, Table } from '../types.js';
import { matchesAll } from './filter-eval.js';
import { keyOf, orderedRows } from './order.js';
import type { PageRequest } from './params.js';

export interface Page {
  rows: number[];
  /** Key of the last row when more rows follow, else null. */
  next: SortKey | null;
}

export function selectPage(table: Table, request: Pick<PageRequest, 'filters' | 'sort' | 'after' | 'pageSize'>): Page {
  const walk = table.scan ? table.scan(request.sort, request.after, request.filters) : orderedRows(table, request.sort, request.after);
  const rows: number[] = [];
  for (const row of walk) {
    if (!matchesAll(table, row, request.filters)) continue;
    rows.push(row);
    if (rows.length > request.pageSize) break;
  }
  if (rows.length <= request.pageSize) return { rows, next: null };
  rows.length = request.pageSize;
  const last = rows[rows.length - 1] ?? 0;
  return { rows, next: keyOf(table, last, request.sort.field) };
}
