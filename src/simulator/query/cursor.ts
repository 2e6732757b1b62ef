// Opaque page cursors: base64url of [sort, value, id] plus a short checksum, so a tampered or foreign
// cursor is rejected with a 400 like the real API does.
import { badRequest } from '../http/api-error.js';
import { hash32, saltOf } from '../rng.js';
import type { Scalar, SortKey } from '../types.js';

function checksum(payload: string, secret: number): string {
  return hash32(saltOf(payload), secret).toString(36);
}

export function encodeCursor(sortToken: string, key: SortKey, secret: number): string {
  const payload = Buffer.from(JSON.stringify([sortToken, key.value, key.id])).toString('base64url');
  return `${payload}.${checksum(payload, secret)}`;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** The key a cursor points after; 400 when it is malformed or was made for another sort. */
export function decodeCursor(cursor: string, sortToken: string, secret: number): SortKey {
  const invalid = badRequest(`Invalid page cursor '${cursor.slice(0, 40)}'. Follow links.next as given.`, 'page[cursor]');
  const [payload = '', sum = ''] = cursor.split('.');
  if (!payload || checksum(payload, secret) !== sum) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw invalid;
  const [sort, value, id] = decoded as unknown[];
  if (sort !== sortToken || !isScalar(value) || typeof id !== 'string') throw invalid;
  return { value, id };
}
