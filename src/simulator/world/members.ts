// Members of a list or segment: a profile plus the time it joined (`joined_group_at`, microseconds).
import { MICROS_PER_SECOND, formatMicros } from '../datetime.js';
import type { Attributes, FieldValue, Ref, Table } from '../types.js';
import { rngFor, type BuildContext } from './context.js';
import { PROFILE_KINDS, type ProfileTable } from './profiles.js';
import type { StaticTable } from './static-table.js';

export class MembersTable implements Table {
  readonly type = 'profile';
  readonly kinds = PROFILE_KINDS;
  readonly toManyNames: readonly string[] = ['lists', 'segments', 'push-tokens'];
  private readonly profileRows: number[] = [];
  private readonly joinedMicros: number[] = [];
  private readonly rowByProfile = new Map<number, number>();
  /** Members removed so far: when they had joined and when they left (the segment reports count them). */
  readonly removals: { joinedMicros: number; removedMicros: number }[] = [];
  private changes = 0;

  constructor(
    readonly groupId: string,
    private readonly profiles: ProfileTable,
  ) {}

  /** Adds a member unless already there; returns whether it was added. */
  add(profileRow: number, joinedMicros: number): boolean {
    if (this.rowByProfile.has(profileRow)) return false;
    this.rowByProfile.set(profileRow, this.profileRows.length);
    this.profileRows.push(profileRow);
    this.joinedMicros.push(joinedMicros);
    this.changes++;
    return true;
  }

  /** Removes a member (by its row in this table) at `atMicros`; the members after it move up one row. */
  remove(row: number, atMicros: number): void {
    const profileRow = this.profileRows[row];
    if (profileRow === undefined) return;
    this.removals.push({ joinedMicros: this.joinedMicros[row] ?? 0, removedMicros: atMicros });
    this.profileRows.splice(row, 1);
    this.joinedMicros.splice(row, 1);
    this.rowByProfile.clear();
    this.profileRows.forEach((profile, index) => this.rowByProfile.set(profile, index));
    this.changes++;
  }

  has(profileRow: number): boolean {
    return this.rowByProfile.has(profileRow);
  }

  /** When the member of `row` joined, in microseconds. */
  joinedAt(row: number): number {
    return this.joinedMicros[row] ?? 0;
  }

  profileRow(row: number): number {
    return this.profileRows[row] ?? 0;
  }

  size(): number {
    return this.profileRows.length;
  }
  version(): number {
    return this.changes;
  }
  id(row: number): string {
    return this.profiles.id(this.profileRow(row));
  }
  rowOf(id: string): number | undefined {
    const profileRow = this.profiles.rowOf(id);
    return profileRow === undefined ? undefined : this.rowByProfile.get(profileRow);
  }
  value(row: number, field: string): FieldValue {
    if (field === 'joined_group_at') return this.joinedMicros[row] ?? null;
    return this.profiles.value(this.profileRow(row), field);
  }
  attributes(row: number, extras: ReadonlySet<string>): Attributes {
    return { ...this.profiles.attributes(this.profileRow(row), extras), joined_group_at: formatMicros(this.joinedMicros[row] ?? 0) };
  }
  toOne(): Readonly<Record<string, Ref>> {
    return {};
  }
  toMany(): readonly Ref[] {
    return [];
  }
}

/** Puts profiles into groups (a profile may be in several), skewed so the first groups are the biggest. */
export function buildMembers(ctx: BuildContext, groups: StaticTable, profiles: ProfileTable, step: string, meanGroups: number): Map<string, MembersTable> {
  const rng = rngFor(ctx, step);
  const tables = new Map(groups.rows.map((group) => [group.id, new MembersTable(group.id, profiles)]));
  const all = [...tables.values()];
  const weights = all.map((_, index) => 1 / (index + 1.5));
  const endMicros = ctx.endSec * MICROS_PER_SECOND;
  for (let row = 0; row < profiles.size(); row++) {
    const count = Math.min(all.length, Math.round(rng.next() * meanGroups * 2));
    const createdMicros = profiles.createdSec(row) * MICROS_PER_SECOND;
    for (let n = 0; n < count; n++) {
      const table = all[rng.weighted(weights)];
      const joined = Math.floor(createdMicros + rng.next() * Math.max(0, endMicros - createdMicros));
      table?.add(row, joined);
    }
  }
  return tables;
}
