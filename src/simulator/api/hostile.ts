// The `hostileRate` knob: an API that strays from its spec. A share of the attribute values served (top-level
// ones, and the leaves of objects one level down, such as `location.latitude`) is replaced, deterministically
// per resource and field, by what a loose API sends: a wrong type, an unexpected null, a number or boolean as a
// string, an unknown enum value, a datetime in another format or no datetime at all.
import { hash32, saltOf } from '../rng.js';

export type HostileKind = 'wrong-type' | 'null' | 'as-string' | 'unknown-enum' | 'other-date-format' | 'not-a-date';

/**
 * What was served off-spec: `<parent id>|<resource id>` (the parent of a child path such as a list's members,
 * else empty) -> dotted attribute path -> the value sent and its kind.
 */
export type HostileLog = Map<string, Map<string, { kind: HostileKind; value: unknown }>>;

const API_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 2822 form of an ISO datetime (second precision: that is all the format holds, so only whole seconds). */
function rfc2822(iso: string): string | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || ms % 1000 !== 0) return null;
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** The hostile replacement of one value, or undefined to leave it (the draw fell on a kind that does not apply). */
export function hostileValue(value: unknown, draw: number): { kind: HostileKind; value: unknown } | undefined {
  const pick = draw % 4;
  if (typeof value === 'string' && API_DATETIME.test(value)) {
    if (pick === 0) return { kind: 'not-a-date', value: 'last tuesday' };
    const other = rfc2822(value);
    if (pick === 1 && other) return { kind: 'other-date-format', value: other };
    return pick === 2 ? { kind: 'null', value: null } : { kind: 'wrong-type', value: { at: value } };
  }
  if (typeof value === 'number') {
    if (pick <= 1) return { kind: 'as-string', value: String(value) };
    return pick === 2 ? { kind: 'wrong-type', value: [value] } : { kind: 'null', value: null };
  }
  if (typeof value === 'boolean') {
    if (pick <= 1) return { kind: 'as-string', value: String(value) };
    return pick === 2 ? { kind: 'wrong-type', value: value ? 1 : 0 } : { kind: 'null', value: null };
  }
  if (typeof value === 'string') {
    if (pick <= 1) return { kind: 'unknown-enum', value: `NEW_VALUE_${draw % 97}` };
    return pick === 2 ? { kind: 'wrong-type', value: { text: value } } : { kind: 'null', value: null };
  }
  return undefined;
}

/**
 * Attributes never garbled: metric streams find their metric by name, and a metric that loses its name is another
 * scenario (a renamed metric), not an off-spec value.
 */
const SPARED: ReadonlySet<string> = new Set(['metric|name']);

function drawFor(seed: number, type: string, id: string, path: string): number {
  return hash32(seed, saltOf(`${type}|${id}|${path}`));
}

function chosen(draw: number, rate: number): boolean {
  return (draw % 10_000) / 10_000 < rate;
}

/**
 * The attributes as a hostile API serves them (a copy; the world's objects are left alone); each replaced value
 * is noted in `log`.
 */
export function hostileAttributes(
  attributes: Record<string, unknown>,
  type: string,
  id: string,
  rate: number,
  seed: number,
  log?: { entries: HostileLog; parentId: string },
): Record<string, unknown> {
  if (rate <= 0) return attributes;
  const out: Record<string, unknown> = { ...attributes };
  const visit = (holder: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [key, value] of Object.entries(holder)) {
      const path = `${prefix}${key}`;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        if (depth === 0) {
          const copy = { ...(value as Record<string, unknown>) };
          holder[key] = copy;
          visit(copy, `${path}.`, depth + 1);
        }
        continue;
      }
      if (SPARED.has(`${type}|${path}`)) continue;
      const draw = drawFor(seed, type, id, path);
      if (!chosen(draw, rate)) continue;
      const hostile = hostileValue(value, Math.floor(draw / 10_000));
      if (!hostile) continue;
      holder[key] = hostile.value;
      if (log) {
        const key = `${log.parentId}|${id}`;
        const entry = log.entries.get(key) ?? new Map();
        entry.set(path, hostile);
        log.entries.set(key, entry);
      }
    }
  };
  visit(out, '', 0);
  return out;
}
