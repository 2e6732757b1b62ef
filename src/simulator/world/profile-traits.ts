// Everything about a profile that is a pure function of (seed, row): names, contact details, place,
// suppressions. Each trait is computed on its own so filters over 100k profiles stay cheap.
import { base62 } from '../ids.js';
import { hash32, pickBy, unit } from '../rng.js';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, LOCALES, ORGANIZATIONS, PLACES, TITLES, type Place } from './vocabulary.js';

export const SUPPRESSION_REASONS = ['HARD_BOUNCE', 'INVALID_EMAIL', 'SPAM_COMPLAINT', 'UNSUBSCRIBE', 'USER_SUPPRESSED'] as const;

export interface SuppressionEntry {
  reason: string;
  sec: number;
}

export interface ListSuppression {
  listId: string;
  reason: string;
  sec: number;
}

/** The first rows are suppressed on purpose so every reason (and a double reason) exists at any scale. */
const FORCED_SUPPRESSIONS = 7;

/** Names come from a short vocabulary, so each one's ASCII form is worked out once (a profile's email needs two). */
const asciiForms = new Map<string, string>();

function ascii(text: string): string {
  let form = asciiForms.get(text);
  if (form === undefined) {
    form = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();
    asciiForms.set(text, form);
  }
  return form;
}

export function firstNameOf(seed: number, row: number): string {
  return pickBy(FIRST_NAMES, hash32(seed, 201, row));
}

export function lastNameOf(seed: number, row: number): string {
  return pickBy(LAST_NAMES, hash32(seed, 202, row));
}

export function isSuppressed(seed: number, row: number): boolean {
  return row < FORCED_SUPPRESSIONS || unit(seed, 210, row) < 0.1;
}

export function emailOf(seed: number, row: number): string | null {
  if (!isSuppressed(seed, row) && unit(seed, 203, row) < 0.03) return null; // SMS-only profile
  const domain = pickBy(EMAIL_DOMAINS, hash32(seed, 204, row));
  return `${ascii(firstNameOf(seed, row))}.${ascii(lastNameOf(seed, row))}.${row + 1}@${domain}`;
}

export function phoneOf(seed: number, row: number): string | null {
  if (emailOf(seed, row) !== null && unit(seed, 205, row) < 0.4) return null;
  return `+1${String(2_000_000_000 + ((row * 7_919 + hash32(seed, 206, row)) % 7_999_999_999)).padStart(10, '0')}`;
}

export function externalIdOf(seed: number, row: number): string | null {
  return unit(seed, 207, row) < 0.45 ? `cust_${100_000 + row}` : null;
}

export function kxOf(seed: number, row: number): string {
  return `kx${base62(hash32(seed, 208, row), 6)}${base62(hash32(seed, 209, row), 6)}`;
}

export function placeOf(seed: number, row: number): Place {
  return pickBy(PLACES, hash32(seed, 211, row));
}

export function organizationOf(seed: number, row: number): string | null {
  return unit(seed, 212, row) < 0.3 ? pickBy(ORGANIZATIONS, hash32(seed, 213, row)) : null;
}

export function titleOf(seed: number, row: number): string | null {
  return unit(seed, 214, row) < 0.25 ? pickBy(TITLES, hash32(seed, 215, row)) : null;
}

export function localeOf(seed: number, row: number): string {
  return pickBy(LOCALES, hash32(seed, 216, row));
}

function secondBetween(seed: number, salt: number, row: number, fromSec: number, toSec: number): number {
  return Math.floor(fromSec + unit(seed, salt, row) * Math.max(0, toSec - fromSec));
}

export function suppressionsOf(seed: number, row: number, createdSec: number, endSec: number): SuppressionEntry[] {
  if (!isSuppressed(seed, row)) return [];
  const first = row < 5 ? row : hash32(seed, 217, row) % 5;
  const entries = [{ reason: SUPPRESSION_REASONS[first] ?? 'USER_SUPPRESSED', sec: secondBetween(seed, 218, row, createdSec, endSec) }];
  const twoReasons = row === 5 || row === 6 || (row >= FORCED_SUPPRESSIONS && unit(seed, 219, row) < 0.25);
  if (twoReasons) {
    const second = (first + 1 + (hash32(seed, 220, row) % 4)) % 5;
    entries.push({ reason: SUPPRESSION_REASONS[second] ?? 'USER_SUPPRESSED', sec: secondBetween(seed, 221, row, createdSec, endSec) });
  }
  return entries;
}

export function listSuppressionsOf(seed: number, row: number, createdSec: number, endSec: number, listIds: readonly string[]): ListSuppression[] {
  if (listIds.length === 0 || (row !== 7 && row !== 8 && unit(seed, 222, row) >= 0.06)) return [];
  return [{
    listId: pickBy(listIds, hash32(seed, 223, row)),
    reason: unit(seed, 224, row) < 0.5 ? 'UNSUBSCRIBE' : 'USER_SUPPRESSED',
    sec: secondBetween(seed, 225, row, createdSec, endSec),
  }];
}

/** A per-row number in [0, 1) for the given purpose (used by the renderers). */
export function traitUnit(seed: number, purpose: number, row: number): number {
  return unit(seed, 300 + purpose, row);
}
