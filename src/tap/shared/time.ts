// Time handling: the only module that uses luxon. Instants are compared as integer microseconds since
// the epoch (Klaviyo returns up to microsecond precision, which a JS Date would truncate).
import { createRequire } from 'node:module';
import type { DateTime as LuxonDateTime } from 'luxon';

/**
 * luxon reads only the forms the tap's own parser leaves (RFC 2822, HTTP and SQL dates, other ISO 8601 forms in
 * the config): loaded on first use, not by every run's start-up (its module takes about 10 ms of CPU to load).
 */
let luxon: typeof LuxonDateTime | undefined;
function DateTime(): typeof LuxonDateTime {
  return (luxon ??= (createRequire(import.meta.url)('luxon') as { DateTime: typeof LuxonDateTime }).DateTime);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

interface Parsed {
  micros: number;
  /** Fraction digits as written (at most 6 kept). */
  fraction: string;
}

/** The digits at `from..from+n` as a number, or -1 when one is not a digit. */
function digitsAt(value: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The common form `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` read without the regex (it is on the path of every
 * record), as microseconds; NaN when the value is anything else, so the general parser decides. Same result as
 * it; nothing allocated.
 */
function parseCommon(value: string): number {
  const len = value.length;
  if (len < 20 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84) return NaN;
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return NaN;
  const y = digitsAt(value, 0, 4);
  const mo = digitsAt(value, 5, 2);
  const d = digitsAt(value, 8, 2);
  const h = digitsAt(value, 11, 2);
  const mi = digitsAt(value, 14, 2);
  const s = digitsAt(value, 17, 2);
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return NaN;
  if (d > daysInMonth(y, mo)) return NaN;
  let at = 19;
  let fractionMicros = 0;
  if (value.charCodeAt(at) === 46) {
    let end = at + 1;
    while (end < len && digitsAt(value, end, 1) >= 0) end++;
    const digits = end - at - 1;
    if (digits === 0 || digits > 9) return NaN;
    const kept = Math.min(digits, 6);
    fractionMicros = digitsAt(value, at + 1, kept) * 10 ** (6 - kept);
    at = end;
  }
  let offset: number;
  if (len - at === 1 && value.charCodeAt(at) === 90) offset = 0;
  else if (len - at === 6 && value.charCodeAt(at + 3) === 58) {
    const sign = value.charCodeAt(at);
    const oh = digitsAt(value, at + 1, 2);
    const om = digitsAt(value, at + 4, 2);
    if ((sign !== 43 && sign !== 45) || oh < 0 || om < 0) return NaN;
    offset = (sign === 45 ? -1 : 1) * (oh * 60 + om);
  } else return NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return (ms - offset * 60_000) * 1000 + fractionMicros;
}

/** The fraction digits of a value of the common form as written, at most 6. */
function commonFraction(value: string): string {
  if (value.charCodeAt(19) !== 46) return '';
  let end = 20;
  while (end < 26 && digitsAt(value, end, 1) >= 0) end++;
  return value.slice(20, end);
}

function parse(value: string): Parsed | null {
  const common = parseCommon(value);
  if (!Number.isNaN(common)) return { micros: common, fraction: commonFraction(value) };
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
  const common = parseCommon(value);
  return Number.isNaN(common) ? (parse(value)?.micros ?? null) : common;
}

/** Formats an instant as RFC 3339 UTC: `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z`, as precise as it needs to be. */
export function fromMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.fffZ
  const subMillis = micros - ms * 1000;
  if (subMillis !== 0) return `${iso.slice(0, 23)}${String(subMillis).padStart(3, '0')}Z`;
  return ms % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

/**
 * What normalizeDatetime gives for the forms Klaviyo sends (`...Z` and `...+00:00`, a valid date and time, no leap
 * second), which also passes the `date-time` check (json.ts isUtcDateTime) as it is; null for anything else.
 */
export function commonUtc(value: string): string | null {
  return Number.isNaN(commonMicros(value)) ? null : commonZ(value);
}

/**
 * A value commonUtc takes, as it writes it: `+00:00` becomes `Z`, and the fraction takes its canonical form
 * (canonicalFraction), so every form of one instant is written the same.
 */
export function commonZ(value: string): string {
  const z = value.charCodeAt(value.length - 1) === 90;
  if (value.charCodeAt(19) !== 46) return z ? value : `${value.slice(0, 19)}Z`;
  const end = z ? value.length - 1 : value.length - 6;
  // Six digits, the last not 0: already canonical (Klaviyo's microsecond form).
  if (end === 26 && value.charCodeAt(25) !== 48) return z ? value : `${value.slice(0, 26)}Z`;
  return `${value.slice(0, 19)}${canonicalFraction(value.slice(20, end))}Z`;
}

/**
 * The fraction of a second as the tap writes it, whatever form it came in: as fromMicros writes an instant (none, three
 * or six digits, `.000000` -> none, `.5` and `.500000` -> `.500`); more than six significant digits are kept.
 */
export function canonicalFraction(digits: string): string {
  let last = digits.length;
  while (last > 0 && digits.charCodeAt(last - 1) === 48) last--;
  if (last === 0) return '';
  const kept = digits.slice(0, last);
  return `.${last <= 3 ? kept.padEnd(3, '0') : last <= 6 ? kept.padEnd(6, '0') : kept}`;
}

/** The instant (toMicros) of a value commonUtc takes; NaN for any other. */
export function commonMicros(value: string): number {
  if (value.charCodeAt(value.length - 1) !== 90 && !value.endsWith('+00:00')) return NaN;
  return value.charCodeAt(17) === 54 ? NaN : parseCommon(value);
}

/** A UTC datetime with a fraction, as Klaviyo writes one: its second, its fraction digits. */
const UTC_FRACTION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d+)(?:Z|\+00:00)$/;

/**
 * Rewrites a datetime in UTC with a `Z` and its fraction in canonical form (canonicalFraction), so that every form of
 * one instant is written the same (`.000000+00:00`, `+00:00` and `Z` alike); other strings pass through.
 */
export function normalizeDatetime(value: string): string {
  const parsed = parse(value);
  if (!parsed) return value;
  const m = UTC_FRACTION.exec(value);
  if (m) return `${m[1] ?? ''}${canonicalFraction(m[2] ?? '')}Z`;
  if (value.endsWith('+00:00') && value[10] === 'T') return `${value.slice(0, -6)}Z`;
  if (value.endsWith('Z') && value[10] === 'T') return value;
  const seconds = fromMicros(Math.floor(parsed.micros / MICROS_PER_SECOND) * MICROS_PER_SECOND).slice(0, 19);
  return `${seconds}${canonicalFraction(parsed.fraction)}Z`;
}

/**
 * A datetime in RFC 3339 UTC: ISO 8601 forms as normalizeDatetime does, and the other unambiguous forms an API
 * may slip into (RFC 2822, HTTP dates, SQL `YYYY-MM-DD HH:MM:SS`, read as UTC without an offset); null otherwise.
 */
export function toRfc3339(value: string): string | null {
  if (parse(value)) return normalizeDatetime(value);
  const { fromRFC2822, fromHTTP, fromSQL } = DateTime();
  for (const read of [fromRFC2822, fromHTTP, fromSQL]) {
    const dt = read(value.trim(), { zone: 'utc', setZone: false });
    if (dt.isValid) return fromMicros(dt.toMillis() * 1000);
  }
  return null;
}

export function nowMicros(): number {
  return Date.now() * 1000;
}

/**
 * Parses a user-supplied date (config or state). Accepts ISO 8601 dates and datetimes; a value without an
 * offset is UTC. Returns null when it does not parse.
 */
export function parseUserDate(value: string): number | null {
  const fast = toMicros(value);
  if (fast !== null) return fast;
  const dt = DateTime().fromISO(value, { zone: 'utc' });
  return dt.isValid ? dt.toMillis() * 1000 : null;
}

export function daysToMicros(days: number): number {
  return Math.round(days * MICROS_PER_DAY);
}
