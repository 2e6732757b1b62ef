// Records to stdout through the stream's shaper, one at a time: the general path's records and the lanes' rendered
// ones alike, with `account_id` where it is added and the keys noted where deletes are tracked.
import type { SingerRecord } from '../singer/messages.js';
import { RenderedRecord } from './records.js';
import { ACCOUNT_ID } from './stream-types.js';
import type { SelectedStream, StreamSummary, SyncDeps } from './sync-types.js';
import type { SeenKeys } from '../state/deletes.js';

/**
 * Writes records of a stream through its shaper (with `account_id` when given, noting keys in `seen` when deletes
 * are tracked), waiting only when stdout is full. Each record is taken from `records` once the one before is
 * written, so a lazy sequence (PageSelector.select) holds only the record being written.
 */
export async function writeRecords(
  s: SelectedStream,
  deps: SyncDeps,
  records: Iterable<SingerRecord | RenderedRecord>,
  summary: StreamSummary,
  accountId: string | null,
  seen: SeenKeys | null = null,
): Promise<void> {
  const extracted = new Date().toISOString();
  const { stream, shaper } = s;
  // Where the shaper puts `account_id`: after the fields the record came with, before `_overflow`.
  const accountJson = accountId === null ? '' : `,${JSON.stringify(ACCOUNT_ID)}:${JSON.stringify(accountId)}`;
  for (const raw of records) {
    let full: Promise<void> | undefined;
    if (raw instanceof RenderedRecord) {
      if (seen) seen.add(raw.fields);
      if (raw.unknown) shaper.noteUnknown(raw.unknown);
      full = deps.writer.recordJson(stream.name, raw.text(accountJson), extracted);
    } else {
      if (accountId !== null) raw[ACCOUNT_ID] = accountId;
      const record = shaper.fit(raw);
      if (seen) seen.add(record);
      full = deps.writer.recordNow(stream.name, record, extracted);
    }
    // Waits only when stdout is full: a page's records otherwise go out in one go (and the page is freed).
    if (full) await full;
    summary.records++;
  }
}
