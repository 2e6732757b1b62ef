// A Singer target in memory, to prove deletes: it applies SCHEMA, RECORD and ACTIVATE_VERSION to one table per
// stream, keyed by the SCHEMA's key_properties. Mode `versions` is a versioning target as the Meltano SDK's SQL
// targets are (MeltanoLabs target-postgres, activate_version on): a RECORD upserts its row with the record's version
// (null without one); ACTIVATE_VERSION N retires every row of the table whose version is below N or null, whichever
// account it came from, as the SDK's activate_version does; a RECORD whose `_sdc_deleted_at` is set is upserted like
// any other (a soft-deleted row). Mode `deleted_at` is a target that ignores versions (pipelinewise with
// hard_delete): ACTIVATE_VERSION does nothing and a RECORD whose `_sdc_deleted_at` is set deletes its row. `rows`
// are the live rows: not retired, not soft-deleted.
import type { Row } from './e2e.js';

export type TargetMode = 'versions' | 'deleted_at';

interface StoredRow {
  version: number | null;
  record: Row;
}

interface Message {
  type?: unknown;
  stream?: unknown;
  key_properties?: unknown;
  record?: unknown;
  version?: unknown;
}

export class MemoryTarget {
  private readonly keys = new Map<string, string[]>();
  private readonly tables = new Map<string, Map<string, StoredRow>>();
  /** ACTIVATE_VERSION messages applied, per stream, in order. */
  readonly activations = new Map<string, number[]>();

  constructor(readonly mode: TargetMode) {}

  /** Applies complete stdout lines of one run, in order. */
  apply(lines: Iterable<string>): this {
    for (const line of lines) {
      const message = JSON.parse(line) as Message;
      const stream = String(message.stream ?? '');
      if (message.type === 'SCHEMA') this.keys.set(stream, message.key_properties as string[]);
      else if (message.type === 'RECORD') this.upsert(stream, message.record as Row, typeof message.version === 'number' ? message.version : null);
      else if (message.type === 'ACTIVATE_VERSION') this.activate(stream, message.version as number);
      else if (message.type !== 'STATE') throw new Error(`not a Singer message: ${line.slice(0, 200)}`);
    }
    return this;
  }

  /** The stream's live rows (`versions`: soft-deleted ones left out). */
  rows(stream: string): Row[] {
    return this.allRows(stream).filter((row) => row['_sdc_deleted_at'] == null);
  }

  /** Every row of the stream's table, soft-deleted ones included. */
  allRows(stream: string): Row[] {
    return [...(this.tables.get(stream)?.values() ?? [])].map((row) => row.record);
  }

  private table(stream: string): Map<string, StoredRow> {
    let table = this.tables.get(stream);
    if (!table) {
      table = new Map();
      this.tables.set(stream, table);
    }
    return table;
  }

  private upsert(stream: string, record: Row, version: number | null): void {
    const keys = this.keys.get(stream);
    if (!keys) throw new Error(`RECORD of ${stream} before its SCHEMA`);
    const key = JSON.stringify(keys.map((k) => record[k]));
    if (this.mode === 'deleted_at' && record['_sdc_deleted_at'] != null) this.table(stream).delete(key);
    else this.table(stream).set(key, { version, record });
  }

  private activate(stream: string, version: number): void {
    if (!Number.isSafeInteger(version)) throw new Error(`ACTIVATE_VERSION of ${stream} without an integer version`);
    this.activations.set(stream, [...(this.activations.get(stream) ?? []), version]);
    if (this.mode !== 'versions') return;
    const table = this.table(stream);
    for (const [key, row] of table) if (row.version === null || row.version < version) table.delete(key);
  }
}
