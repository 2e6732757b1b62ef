// The catalog's replication choice per stream (Singer stream metadata `replication-method`, `replication-key`):
// a stream with a replication key syncs INCREMENTAL by default and may be forced to FULL_TABLE (no bookmark
// read or written, read from start_date every run, versioned); a stream without one is FULL_TABLE only.
import { ConfigError } from '../shared/errors.js';
import type { KlaviyoStream } from '../engine/stream.js';

export type ReplicationMethod = 'INCREMENTAL' | 'FULL_TABLE';
const METHODS: readonly string[] = ['INCREMENTAL', 'FULL_TABLE'];

/** The methods a stream offers: both where it has a replication key, FULL_TABLE alone otherwise. */
export function validMethods(stream: KlaviyoStream): ReplicationMethod[] {
  return stream.replicationKey ? ['INCREMENTAL', 'FULL_TABLE'] : ['FULL_TABLE'];
}

/**
 * Checks a selected stream's choice against what it offers and records it on the stream (`fullTable`).
 * `metadata`: the stream-level (breadcrumb []) metadata of its catalog entry.
 */
export function applyReplicationChoice(stream: KlaviyoStream, metadata: Record<string, unknown> | undefined): void {
  const method = metadata?.['replication-method'];
  const key = metadata?.['replication-key'];
  const where = `--catalog: stream ${stream.name}`;
  if (method !== undefined && (typeof method !== 'string' || !METHODS.includes(method))) {
    throw new ConfigError(`${where}: replication-method ${JSON.stringify(method)} is not a method; use one of ${validMethods(stream).join(', ')}`, 'replication-method');
  }
  if (method === 'INCREMENTAL' && !stream.replicationKey) {
    throw new ConfigError(
      `${where}: replication-method INCREMENTAL needs a replication key and Klaviyo offers none for this stream; set replication-method to FULL_TABLE or remove it`,
      'replication-method',
    );
  }
  if (key !== undefined && key !== null && method !== 'FULL_TABLE' && key !== stream.replicationKey) {
    const fix = stream.replicationKey ? `its only valid replication key is ${stream.replicationKey}: set replication-key to it or remove it` : 'it has no replication key: remove replication-key';
    throw new ConfigError(`${where}: replication-key ${JSON.stringify(key)} is not supported (Klaviyo cannot filter or sort it by that field); ${fix}`, 'replication-key');
  }
  stream.fullTable = method === 'FULL_TABLE';
}
