// The account, tags and tag groups, and forms.
import { shortId, uuidFrom } from '../ids.js';
import { FORM_NAMES, TAG_GROUP_NAMES, TAG_NAMES } from './vocabulary.js';
import { formatSeconds, randomStamps, ref, rngFor, secondsValue, type BuildContext } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';

export function buildAccount(ctx: BuildContext): StaticTable {
  const id = ctx.ids.issue((attempt) => shortId(ctx.seed, 1, attempt));
  const row: StaticRow = {
    id,
    attributes: {
      test_account: false,
      contact_information: {
        default_sender_name: 'Northwind Outfitters',
        default_sender_email: 'hello@northwind.example',
        website_url: 'https://northwind.example',
        organization_name: 'Northwind Outfitters',
        street_address: { address1: '125 Summer St', address2: 'Floor 6', city: 'Boston', region: 'MA', country: 'US', zip: '02110' },
      },
      industry: 'Apparel & Accessories',
      timezone: 'America/New_York',
      preferred_currency: 'USD',
      public_api_key: id,
      locale: 'en-US',
    },
  };
  return new StaticTable('account', {}, [], [row]);
}

export function buildTagGroups(ctx: BuildContext): StaticTable {
  const rows: StaticRow[] = TAG_GROUP_NAMES.map((name, index) => ({
    id: uuidFrom(ctx.seed, 41, index),
    attributes: { name, exclusive: index === 3, default: index === 0 },
    toMany: { tags: [] },
  }));
  return new StaticTable('tag-group', {}, ['tags'], rows);
}

export function buildTags(ctx: BuildContext, groups: StaticTable): StaticTable {
  const rng = rngFor(ctx, 'tags');
  const rows: StaticRow[] = Array.from({ length: ctx.counts.tags }, (_, index) => {
    const base = TAG_NAMES[index % TAG_NAMES.length] ?? 'tag';
    const name = index < TAG_NAMES.length ? base : `${base}-${Math.floor(index / TAG_NAMES.length) + 1}`;
    const group = groups.rows[rng.int(groups.rows.length)];
    const row: StaticRow = { id: uuidFrom(ctx.seed, 42, index), attributes: { name }, toMany: { lists: [], segments: [], campaigns: [], flows: [] } };
    if (group) {
      row.toOne = { 'tag-group': ref('tag-group', group.id) };
      group.toMany?.['tags']?.push(ref('tag', row.id));
    }
    return row;
  });
  return new StaticTable('tag', { name: 'string' }, ['lists', 'segments', 'campaigns', 'flows'], rows);
}

/** Tags `owner` with a few random tags, recording both directions. */
export function attachTags(tags: StaticTable, owner: StaticRow, ownerType: string, relationFromTag: string, picks: number[]): void {
  const refs = picks.map((index) => tags.rows[index % tags.rows.length]).filter((tag): tag is StaticRow => tag !== undefined);
  owner.toMany = { ...(owner.toMany ?? {}), tags: refs.map((tag) => ref('tag', tag.id)) };
  for (const tag of refs) tag.toMany?.[relationFromTag]?.push(ref(ownerType, owner.id));
}

export function buildForms(ctx: BuildContext): StaticTable {
  const rng = rngFor(ctx, 'forms');
  const rows: StaticRow[] = Array.from({ length: ctx.counts.forms }, (_, index) => {
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec, ctx.endSec);
    const name = `${FORM_NAMES[index % FORM_NAMES.length] ?? 'Form'}${index >= FORM_NAMES.length ? ` ${Math.floor(index / FORM_NAMES.length) + 1}` : ''}`;
    return {
      id: ctx.ids.issue((attempt) => shortId(ctx.seed, 51, index, attempt)),
      attributes: {
        name,
        status: rng.chance(0.7) ? 'live' : 'draft',
        ab_test: rng.chance(0.2),
        created_at: formatSeconds(createdSec),
        updated_at: formatSeconds(updatedSec),
      },
      values: { created_at: secondsValue(createdSec), updated_at: secondsValue(updatedSec) },
      toMany: { 'form-versions': [] },
    };
  });
  const kinds = { id: 'string', name: 'string', ab_test: 'boolean', status: 'string', created_at: 'datetime', updated_at: 'datetime' } as const;
  return new StaticTable('form', kinds, ['form-versions'], rows);
}
