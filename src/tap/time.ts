// Time handling: the only module that imports luxon. Instants are compared as integer microseconds since
// the epoch (Klaviyo returns up to microsecond precision, which a JS Date would truncate).
import { DateTime } from 'luxon';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

interface Parsed {
  micros: number;
  /** Fraction digits as written (at most 6 kept). */
  fraction: string;
}

function parse(value: string): Parsed | null {
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  // The calendar day must exist (no Feb 30); checked on the date alone so a leap second (23:59:60) is fine.
  if (new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDate() !== Number(d)) return null;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const fraction = frac.slice(0, 6);
  const fractionMicros = fraction ? Number(fraction.padEnd(6, '0')) : 0;
  return { micros: (ms - offsetMinutes(zone) * 60_000) * 1000 + fractionMicros, fraction };
}

function offsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/** Microseconds since the epoch, or null when the value is not an ISO 8601 datetime. */
export function toMicros(value: string): number | null {
  return parse(value)?.micros ?? null;
}

/** Formats an instant as RFC 3339 UTC: `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z`, as precise as it needs to be. */
export function fromMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.fffZ
  const subMillis = micros - ms * 1000;
  if (subMillis !== 0) return `${iso.slice(0, 23)}${String(subMillis).padStart(3, '0')}Z`;
  return ms % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

/** Rewrites a datetime in UTC with a `Z`, keeping the precision it was given with; other strings pass through. */
export function normalizeDatetime(value: string): string {
  const parsed = parse(value);
  if (!parsed) return value;
  if (value.endsWith('+00:00') && value[10] === 'T') return `${value.slice(0, -6)}Z`;
  if (value.endsWith('Z') && value[10] === 'T') return value;
  const seconds = fromMicros(Math.floor(parsed.micros / MICROS_PER_SECOND) * MICROS_PER_SECOND).slice(0, 19);
  return parsed.fraction ? `${seconds}.${parsed.fraction}Z` : `${seconds}Z`;
}

/**
 * A datetime in RFC 3339 UTC: ISO 8601 forms as normalizeDatetime does, and the other unambiguous forms an API
 * may slip into (RFC 2822, HTTP dates, SQL `YYYY-MM-DD HH:MM:SS`, read as UTC without an offset); null otherwise.
 */
export function toRfc3339(value: string): string | null {
  if (parse(value)) return normalizeDatetime(value);
  for (const read of [DateTime.fromRFC2822, DateTime.fromHTTP, DateTime.fromSQL]) {
    const dt = read(value.trim(), { zone: 'utc', setZone: false });
    if (dt.isValid) return fromMicros(dt.toMillis() * 1000);
  }
  return null;
}

export function nowMicros(): number {
  return DateTime.utc().toMillis() * 1000;
}

/**
 * Parses a user-supplied date (config or state). Accepts ISO 8601 dates and datetimes; a value without an
 * offset is UTC. Returns null when it does not parse.
 */
export function parseUserDate(value: string): number | null {
  const fast = toMicros(value);
  if (fast !== null) return fast;
  const dt = DateTime.fromISO(value, { zone: 'utc' });
  return dt.isValid ? dt.toMillis() * 1000 : null;
}

export function daysToMicros(days: number): number {
  return Math.round(days * MICROS_PER_DAY);
}
