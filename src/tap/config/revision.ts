// Klaviyo's revision lifecycle (API versioning and deprecation policy): a revision is stable for a year after
// its release date, deprecated the second year, and retired two years after release (then requests answer 410
// Gone or silently fall forward to a newer revision). The tap warns ahead of that and names the fix.
import { SPEC_REVISION } from '../../generated/endpoints.js';

/** Warn this many days before a revision retires, even while it is still stable. */
export const RETIREMENT_NOTICE_DAYS = 90;
const DAY_MS = 86_400_000;

export interface RevisionLifecycle {
  revision: string;
  /** The revision's release date (its name), then one and two years on; all YYYY-MM-DD. */
  released: string;
  deprecated: string;
  retired: string;
}

/** The lifecycle of a revision such as `2026-07-15` or `2026-07-15.pre`; null if it does not start with a date. */
export function revisionLifecycle(revision: string): RevisionLifecycle | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(revision);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const released = new Date(Date.UTC(year, month - 1, day));
  if (released.getUTCMonth() !== month - 1 || released.getUTCDate() !== day) return null;
  return { revision, released: ymd(year, month, day), deprecated: ymd(year + 1, month, day), retired: ymd(year + 2, month, day) };
}

/** What to tell the user about the configured revision today, or null while it is stable and far from retiring. */
export function revisionWarning(revision: string, today: Date): string | null {
  const life = revisionLifecycle(revision);
  if (!life) return null;
  const now = today.getTime();
  const retired = Date.parse(`${life.retired}T00:00:00Z`);
  const fix = upgradeHint(revision);
  if (now >= retired) {
    return `revision ${revision} was retired by Klaviyo on ${life.retired}: requests may fail with 410 Gone or silently get a newer revision's data; ${fix}`;
  }
  const days = Math.ceil((retired - now) / DAY_MS);
  if (days <= RETIREMENT_NOTICE_DAYS) return `revision ${revision} retires on ${life.retired} (in ${days} days); ${fix}`;
  if (now >= Date.parse(`${life.deprecated}T00:00:00Z`)) {
    return `revision ${revision} is deprecated since ${life.deprecated} and retires on ${life.retired}; ${fix}`;
  }
  return null;
}

/** Appended to a 410 Gone: Klaviyo's answer to a retired revision. */
export function revisionGoneHint(revision: string): string {
  const life = revisionLifecycle(revision);
  const when = life ? ` (retired on ${life.retired}, two years after its release)` : '';
  return `; Klaviyo answers 410 Gone for a retired API revision: revision ${revision}${when}; ${upgradeHint(revision)}`;
}

/** The fix: the tap's own revision, or, when that is the one configured, a release of the tap made for a newer one. */
function upgradeHint(revision: string): string {
  if (revision === SPEC_REVISION) {
    return `this release of tap-klaviyo is made for revision ${SPEC_REVISION}: upgrade tap-klaviyo to a release made for a newer revision`;
  }
  return `set "revision" in the config to ${SPEC_REVISION} (the revision the tap's schemas are made for), or remove it to use that default`;
}

function ymd(year: number, month: number, day: number): string {
  // 29 February falls on 28 February in a year without it (Klaviyo's dates are quarterly, the 15th, anyway).
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1) d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}
