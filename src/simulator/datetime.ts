// Instants are integer microseconds (or seconds) since the epoch. Rendering follows Klaviyo:
// `YYYY-MM-DDTHH:MM:SS+00:00` (second precision) or `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.

export const MICROS_PER_SECOND = 1_000_000;
export const SECONDS_PER_DAY = 86_400;
export const MICROS_PER_DAY = SECONDS_PER_DAY * MICROS_PER_SECOND;

const MAX_TIME_MS = 8.64e15;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
/** The last day rendered and its `YYYY-MM-DDT`: consecutive rows (events in time order) mostly share a day. */
let cachedDay = NaN;
let cachedDayText = '';

/** `new Date(seconds * 1000).toISOString().slice(0, 19)`, with the date part computed once per day. */
function isoSeconds(seconds: number): string {
  const ms = Math.trunc(seconds * 1000); // what Date keeps of a time value
  if (!(Math.abs(ms) <= MAX_TIME_MS)) return new Date(ms).toISOString().slice(0, 19); // throws as before
  const whole = (ms - (((ms % 1000) + 1000) % 1000)) / 1000;
  const day = Math.floor(whole / SECONDS_PER_DAY);
  if (day !== cachedDay) {
    cachedDayText = new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 11);
    cachedDay = day;
  }
  const rest = whole - day * SECONDS_PER_DAY;
  const minutes = Math.floor(rest / 60);
  return `${cachedDayText}${TWO_DIGITS[Math.floor(minutes / 60)] ?? ''}:${TWO_DIGITS[minutes % 60] ?? ''}:${TWO_DIGITS[rest % 60] ?? ''}`;
}

/** `2024-05-01T12:00:00+00:00` */
export function formatSeconds(seconds: number): string {
  return `${isoSeconds(Math.floor(seconds))}+00:00`;
}

/** `2024-05-01T12:00:00.123456+00:00` */
export function formatMicros(micros: number): string {
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  const fraction = String(micros - seconds * MICROS_PER_SECOND).padStart(6, '0');
  return `${isoSeconds(seconds)}.${fraction}+00:00`;
}

/** `2024-05-01` */
export function formatDate(seconds: number): string {
  return isoSeconds(seconds).slice(0, 10);
}

const FILTER_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses a datetime as Klaviyo's filter grammar accepts it: a date, or a datetime with optional seconds,
 * optional fraction and optional offset (missing offset = UTC). Returns microseconds, or null.
 */
export function parseDatetime(text: string): number | null {
  const m = FILTER_DATETIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = m;
  const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)] as const;
  const ms = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  const check = new Date(ms);
  if (check.getUTCMonth() !== fields[1] - 1 || check.getUTCDate() !== fields[2]) return null;
  if (fields[3] > 23 || fields[4] > 59 || fields[5] > 59) return null;
  const fractionMicros = fraction ? Number(fraction.slice(0, 6).padEnd(6, '0')) : 0;
  return (ms - offsetMinutes(zone) * 60_000) * 1000 + fractionMicros;
}

function offsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

const API_DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?\+00:00$/;

/**
 * The tap's record form of an API datetime: `+00:00` becomes `Z`, and the fraction is written as short as the
 * instant allows in steps of three digits (`.000000` none, `.392000` `.392`, `.392877` as is), as JavaScript's
 * toISOString writes milliseconds: one text per instant, whichever form the API sent it in (the `layout` knob).
 */
export function toRecordDatetime(value: unknown): unknown {
  const m = typeof value === 'string' ? API_DATETIME.exec(value) : null;
  if (!m) return value;
  const digits = (m[2] ?? '').replace(/0+$/, '');
  const fraction = digits === '' ? '' : `.${digits.length <= 3 ? digits.padEnd(3, '0') : digits.length <= 6 ? digits.padEnd(6, '0') : digits}`;
  return `${m[1] ?? ''}${fraction}Z`;
}

export function nowMicros(): number {
  return Date.now() * 1000;
}
