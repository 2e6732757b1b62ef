// Reading a --state file: the checks that turn a malformed bookmark into one clear error naming what to fix.
import { ConfigError } from '../shared/errors.js';
import { readJsonFile } from '../shared/json.js';
import type { TapState } from './state.js';
import { parseUserDate } from '../shared/time.js';

/** Reads and checks a state file. `replicationKeys` maps each stream id this tap has to its replication key. */
export function loadState(path: string, replicationKeys: ReadonlyMap<string, string | null>): TapState {
  let raw = readJsonFile(path, '--state');
  if (isObject(raw) && isObject(raw['singer_state'])) raw = raw['singer_state'];
  if (!isObject(raw)) throw new ConfigError(`--state ${path}: expected a JSON object like {"bookmarks": {...}}`, 'state');
  const bookmarks = raw['bookmarks'] ?? {};
  if (!isObject(bookmarks)) throw new ConfigError(`--state ${path}: "bookmarks" must be an object of stream id -> bookmark`, 'bookmarks');
  const names = Object.keys(bookmarks);
  if (names.length > 0 && !names.some((n) => replicationKeys.has(n))) {
    throw new ConfigError(`--state ${path}: no bookmark names a tap-klaviyo stream (${names.slice(0, 3).join(', ')}); is this another tap's state? Use a tap-klaviyo state or none`, 'bookmarks');
  }
  for (const [stream, entry] of Object.entries(bookmarks)) {
    if (!replicationKeys.has(stream)) continue; // a stream no longer configured: kept as is
    if (!isObject(entry)) throw new ConfigError(`--state: bookmarks.${stream} must be an object`, `bookmarks.${stream}`);
    checkBookmark(entry, `bookmarks.${stream}`, replicationKeys.get(stream) ?? null);
    checkParentBookmark(entry['parent_bookmark'], `bookmarks.${stream}.parent_bookmark`);
    checkVersions(entry, `bookmarks.${stream}`);
    checkReportQuota(entry['report_quota'], `bookmarks.${stream}.report_quota`);
    const partitions = entry['partitions'];
    if (partitions === undefined) continue;
    if (!Array.isArray(partitions)) throw new ConfigError(`--state: bookmarks.${stream}.partitions must be an array`, `bookmarks.${stream}.partitions`);
    partitions.forEach((p: unknown, i) => {
      const where = `bookmarks.${stream}.partitions[${i}]`;
      if (!isObject(p) || !isObject(p['context']) || !Object.values(p['context']).every((v) => typeof v === 'string')) {
        throw new ConfigError(`--state: ${where} needs a "context" object of strings`, where);
      }
      checkBookmark(p, where, replicationKeys.get(stream) ?? null);
    });
  }
  return { ...raw, bookmarks } as TapState;
}

function checkBookmark(entry: Record<string, unknown>, where: string, expectedKey: string | null): void {
  checkDatetime(entry['full_read_at'], `${where}.full_read_at`, 'the next run then reads it in full');
  const key = entry['replication_key'];
  const value = entry['replication_key_value'];
  if (key === undefined && value === undefined) return;
  if (typeof key !== 'string' || typeof value !== 'string') {
    throw new ConfigError(`--state: ${where} needs string "replication_key" and "replication_key_value"`, where);
  }
  if (expectedKey !== null && key !== expectedKey) {
    throw new ConfigError(`--state: ${where}.replication_key is "${key}" but this stream replicates on "${expectedKey}"; delete that bookmark to re-sync it`, `${where}.replication_key`);
  }
  if (parseUserDate(value) === null) {
    throw new ConfigError(`--state: ${where}.replication_key_value is not a datetime: ${JSON.stringify(value)}; fix or delete that bookmark`, `${where}.replication_key_value`);
  }
  const ids = entry['boundary_ids'];
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
    throw new ConfigError(`--state: ${where}.boundary_ids must be an array of id strings`, `${where}.boundary_ids`);
  }
}

function checkDatetime(value: unknown, where: string, then: string): void {
  if (value !== undefined && (typeof value !== 'string' || parseUserDate(value) === null)) {
    throw new ConfigError(`--state: ${where} is not a datetime: ${JSON.stringify(value)}; fix or delete it (${then})`, where);
  }
}

function checkParentBookmark(entry: unknown, where: string): void {
  if (entry === undefined) return;
  const ok =
    isObject(entry) &&
    typeof entry['replication_key'] === 'string' &&
    ['replication_key_value', 'full_read_at'].every((k) => typeof entry[k] === 'string' && parseUserDate(entry[k]) !== null);
  if (!ok) throw new ConfigError(`--state: ${where} needs "replication_key" and the datetimes "replication_key_value" and "full_read_at"; fix or delete it (the stream then re-reads every parent)`, where);
  checkDatetime(entry['archived_full_read_at'], `${where}.archived_full_read_at`, 'the stream then re-reads every archived parent');
}

function checkVersions(entry: Record<string, unknown>, where: string): void {
  for (const field of ['active_version', 'pending_version']) {
    const value = entry[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) {
      throw new ConfigError(`--state: ${where}.${field} must be a positive integer (a table version, epoch milliseconds): got ${JSON.stringify(value)}; fix or delete it (the stream then reads in full)`, `${where}.${field}`);
    }
  }
  const ids = entry['ids'];
  const scalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  const key = (id: unknown): boolean => typeof id === 'string' || (Array.isArray(id) && id.length > 0 && id.every(scalar));
  if (ids !== undefined && !(Array.isArray(ids) && ids.every(key))) {
    throw new ConfigError(`--state: ${where}.ids must be an array of keys (id strings, or arrays of key values); fix or delete it (deleted records are then sent again from the next full read)`, `${where}.ids`);
  }
}

function checkReportQuota(entry: unknown, where: string): void {
  if (entry === undefined) return;
  const ok = isObject(entry) && typeof entry['day'] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(entry['day']) && Number.isInteger(entry['requests']) && Number(entry['requests']) >= 0;
  if (!ok) throw new ConfigError(`--state: ${where} needs "day" (YYYY-MM-DD) and a whole number "requests"; fix or delete it`, where);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
