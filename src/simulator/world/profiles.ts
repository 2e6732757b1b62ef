// Profiles: only timestamps, revision and id are stored per row; every other attribute is derived from
// (seed, row) when a page is rendered, so 100k+ profiles cost a few MB.
import { MICROS_PER_SECOND } from '../datetime.js';
import { ulid } from '../ids.js';
import type { Attributes, FieldKind, FieldValue, Ref, Table } from '../types.js';
import { rngFor, type BuildContext } from './context.js';
import { baseAttributes, predictiveAnalytics, subscriptions, type ProfileState } from './profile-render.js';
import * as t from './profile-traits.js';

const SUPPRESSION = 'subscriptions.email.marketing.suppression';
const LIST_SUPPRESSIONS = 'subscriptions.email.marketing.list_suppressions';

export const PROFILE_KINDS: Readonly<Record<string, FieldKind>> = {
  created: 'datetime',
  updated: 'datetime',
  joined_group_at: 'datetime',
  [`${SUPPRESSION}.timestamp`]: 'datetime',
  [`${LIST_SUPPRESSIONS}.timestamp`]: 'datetime',
};

export class ProfileTable implements Table {
  readonly type = 'profile';
  readonly kinds = PROFILE_KINDS;
  readonly toManyNames: readonly string[] = ['lists', 'segments', 'push-tokens', 'conversations'];
  private readonly createdMicros: number[] = [];
  private readonly updatedMicros: number[] = [];
  private readonly revisions: number[] = [];
  private readonly ids: string[] = [];
  private readonly rowById = new Map<string, number>();
  /** Rows whose suppressions a mutation lifted. */
  private readonly lifted = new Set<number>();
  private changes = 0;

  constructor(
    private readonly ctx: BuildContext,
    private readonly listIds: readonly string[],
  ) {
    const rng = rngFor(ctx, 'profiles');
    const fromMicros = (ctx.startSec - 365 * 86_400) * MICROS_PER_SECOND;
    const toMicros = (ctx.endSec - 86_400) * MICROS_PER_SECOND;
    for (let row = 0; row < ctx.counts.profiles; row++) {
      const created = Math.floor(fromMicros + rng.next() * (toMicros - fromMicros));
      const updated = rng.chance(0.2) ? created : Math.floor(created + rng.next() * (ctx.endSec * MICROS_PER_SECOND - created));
      this.add(created, updated);
    }
  }

  /** Appends a profile; returns its row. */
  add(createdMicros: number, updatedMicros: number): number {
    const row = this.ids.length;
    const id = this.ctx.ids.issue((attempt) => ulid(createdMicros / 1000, this.ctx.seed, 81, row, attempt));
    this.ids.push(id);
    this.rowById.set(id, row);
    this.createdMicros.push(createdMicros);
    this.updatedMicros.push(updatedMicros);
    this.revisions.push(0);
    this.changes++;
    return row;
  }

  /** Marks a profile updated at `micros` (its attributes change with the revision). */
  update(row: number, micros: number): void {
    this.updatedMicros[row] = micros;
    this.revisions[row] = (this.revisions[row] ?? 0) + 1;
    this.changes++;
  }

  /** Lifts every suppression of the profile (it is updated at `micros`); false when it had none. */
  liftSuppressions(row: number, micros: number): boolean {
    if (this.lifted.has(row) || (this.value(row, `${SUPPRESSION}.reason`) as string[]).length === 0) return false;
    this.lifted.add(row);
    this.update(row, micros);
    return true;
  }

  createdSec(row: number): number {
    return Math.floor((this.createdMicros[row] ?? 0) / MICROS_PER_SECOND);
  }

  state(row: number): ProfileState {
    return {
      seed: this.ctx.seed,
      row,
      createdMicros: this.createdMicros[row] ?? 0,
      updatedMicros: this.updatedMicros[row] ?? 0,
      revision: this.revisions[row] ?? 0,
      endSec: this.ctx.endSec,
      listIds: this.listIds,
      suppressionsLifted: this.lifted.has(row),
    };
  }

  size(): number {
    return this.ids.length;
  }
  version(): number {
    return this.changes;
  }
  id(row: number): string {
    return this.ids[row] ?? '';
  }
  rowOf(id: string): number | undefined {
    return this.rowById.get(id);
  }

  value(row: number, field: string): FieldValue {
    const seed = this.ctx.seed;
    switch (field) {
      case 'id':
      case 'profile_id':
        return this.id(row);
      case 'email':
        return t.emailOf(seed, row);
      case 'phone_number':
        return t.phoneOf(seed, row);
      case 'external_id':
        return t.externalIdOf(seed, row);
      case '_kx':
        return t.kxOf(seed, row);
      case 'push_token':
        return null;
      case 'created':
        return this.createdMicros[row] ?? null;
      case 'updated':
        return this.updatedMicros[row] ?? null;
    }
    return this.suppressionValue(row, field);
  }

  private suppressionValue(row: number, field: string): FieldValue {
    const created = this.createdSec(row);
    if (field.startsWith(`${SUPPRESSION}.`)) {
      const entries = this.lifted.has(row) ? [] : t.suppressionsOf(this.ctx.seed, row, created, this.ctx.endSec);
      return field.endsWith('.reason') ? entries.map((e) => e.reason) : entries.map((e) => e.sec * MICROS_PER_SECOND);
    }
    if (field.startsWith(`${LIST_SUPPRESSIONS}.`)) {
      const entries = t.listSuppressionsOf(this.ctx.seed, row, created, this.ctx.endSec, this.listIds);
      if (field.endsWith('.reason')) return entries.map((e) => e.reason);
      return field.endsWith('.list_id') ? entries.map((e) => e.listId) : entries.map((e) => e.sec * MICROS_PER_SECOND);
    }
    return null;
  }

  attributes(row: number, extras: ReadonlySet<string>): Attributes {
    const state = this.state(row);
    const out = baseAttributes(state);
    if (extras.has('subscriptions')) out['subscriptions'] = subscriptions(state);
    if (extras.has('predictive_analytics')) out['predictive_analytics'] = predictiveAnalytics(state);
    return out;
  }

  toOne(): Readonly<Record<string, Ref>> {
    return {};
  }
  toMany(): readonly Ref[] {
    return [];
  }
}
