// Smaller account objects: form versions, push tokens, reviews, universal content, webhooks and web feeds.
import { formatDate } from '../datetime.js';
import { numericId, shortId, ulid, uuidFrom } from '../ids.js';
import { formatSeconds, randomSecond, randomStamps, ref, rngFor, secondsValue, slug, type BuildContext } from './context.js';
import type { ProfileTable } from './profiles.js';
import { StaticTable, type StaticRow } from './static-table.js';

const FORM_TYPES = ['popup', 'flyout', 'embed', 'banner', 'full_page'] as const;

/** One to three versions per form (A/B tests have two variations); each form lists its versions. */
export function buildFormVersions(ctx: BuildContext, forms: StaticTable): StaticTable {
  const rng = rngFor(ctx, 'form-versions');
  const rows: StaticRow[] = [];
  forms.rows.forEach((form, formIndex) => {
    const abTest = form.attributes['ab_test'] === true;
    const count = abTest ? 2 : rng.between(1, 2);
    for (let n = 0; n < count; n++) {
      const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec, ctx.endSec);
      const variation = `Version ${String.fromCharCode(65 + n)}`;
      const row: StaticRow = {
        id: numericId(7, ctx.seed, 71, formIndex, n),
        attributes: {
          form_type: rng.pick(FORM_TYPES),
          variation_name: variation,
          ab_test: abTest ? { variation_name: variation } : null,
          status: n === 0 ? String(form.attributes['status']) : 'draft',
          created_at: formatSeconds(createdSec),
          updated_at: formatSeconds(updatedSec),
        },
        values: { created_at: secondsValue(createdSec), updated_at: secondsValue(updatedSec) },
        toOne: { form: ref('form', form.id) },
        parentId: form.id,
      };
      form.toMany?.['form-versions']?.push(ref('form-version', row.id));
      rows.push(row);
    }
  });
  const kinds = { form_type: 'string', status: 'string', created_at: 'datetime', updated_at: 'datetime' } as const;
  return new StaticTable('form-version', kinds, [], rows);
}

/** Push tokens of about one profile in seven (iOS and Android apps). */
export function buildPushTokens(ctx: BuildContext, profiles: ProfileTable): StaticTable {
  const rng = rngFor(ctx, 'push-tokens');
  const count = Math.ceil(profiles.size() / 7);
  const rows: StaticRow[] = Array.from({ length: count }, (_, index) => {
    const ios = rng.chance(0.6);
    const createdSec = randomSecond(rng, ctx.startSec, ctx.endSec);
    const profileId = profiles.id(rng.int(profiles.size()));
    const status = rng.pick(['AUTHORIZED', 'AUTHORIZED', 'AUTHORIZED', 'DENIED', 'UNAUTHORIZED'] as const);
    return {
      id: uuidFrom(ctx.seed, 72, index),
      attributes: {
        created: formatSeconds(createdSec),
        token: uuidFrom(ctx.seed, 73, index).replace(/-/g, '') + uuidFrom(ctx.seed, 74, index).replace(/-/g, ''),
        enablement_status: status,
        platform: ios ? 'ios' : 'android',
        vendor: ios ? 'APNs' : 'FCM',
        background: rng.pick(['AVAILABLE', 'DENIED', 'RESTRICTED']),
        recorded_date: formatDate(createdSec),
        metadata: {
          device_id: uuidFrom(ctx.seed, 75, index).toUpperCase(),
          klaviyo_sdk: ios ? 'swift' : 'android',
          sdk_version: `4.${rng.int(3)}.${rng.int(10)}`,
          device_model: ios ? rng.pick(['iPhone15,2', 'iPhone16,1']) : rng.pick(['Pixel 8', 'SM-S918B']),
          os_name: ios ? 'ios' : 'android',
          os_version: ios ? `17.${rng.int(6)}` : `14`,
          manufacturer: ios ? 'Apple' : rng.pick(['Google', 'Samsung']),
          app_name: 'Northwind',
          app_version: `3.${rng.int(9)}.0`,
          app_build: String(300 + rng.int(80)),
          app_id: ios ? 'com.northwind.app' : 'com.northwind.android',
          environment: 'release',
        },
      },
      values: { 'profile.id': profileId, enablement_status: status, platform: ios ? 'ios' : 'android' },
      toOne: { profile: ref('profile', profileId) },
    };
  });
  const kinds = { 'profile.id': 'string', enablement_status: 'string', platform: 'string' } as const;
  return new StaticTable('push-token', kinds, [], rows);
}

const REVIEW_TITLES = ['Love it', 'Runs small', 'Great quality', 'Not for me', 'Does it come in blue?', 'Perfect gift'] as const;
const AUTHORS = ['Ana P.', 'Sam K.', 'Lee W.', 'Maya R.', 'Tom B.', 'Ines G.'] as const;

/** About two reviews per catalog item; some answered publicly, some still pending moderation. */
export function buildReviews(ctx: BuildContext, items: StaticTable): StaticTable {
  const rng = rngFor(ctx, 'reviews');
  const rows: StaticRow[] = Array.from({ length: items.rows.length * 2 }, (_, index) => {
    const item = items.rows[rng.int(items.rows.length)];
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec, ctx.endSec);
    const type = rng.pick(['review', 'review', 'rating', 'question'] as const);
    const rating = type === 'question' ? null : rng.between(1, 5);
    const status = rng.pick(['published', 'published', 'featured', 'pending', 'unpublished'] as const);
    const author = rng.pick(AUTHORS);
    return {
      id: String(100000 + index),
      attributes: {
        email: `${slug(author)}${index}@example.org`,
        status: { value: status },
        verified: rng.chance(0.7),
        review_type: type,
        created: formatSeconds(createdSec),
        updated: formatSeconds(updatedSec),
        images: rng.chance(0.2) ? [`https://cdn.northwind.example/reviews/${index}.jpg`] : [],
        product: {
          url: String(item?.attributes['url'] ?? ''),
          name: String(item?.attributes['title'] ?? ''),
          image_url: String(item?.attributes['image_full_url'] ?? ''),
          external_id: String(item?.attributes['external_id'] ?? ''),
        },
        rating,
        author,
        content: type === 'rating' ? null : `${rng.pick(REVIEW_TITLES)}. Would buy again.`,
        title: type === 'rating' ? null : rng.pick(REVIEW_TITLES),
        smart_quote: null,
        public_reply: rng.chance(0.25) ? { content: 'Thanks for the feedback!', author: 'Northwind Outfitters', updated: formatSeconds(updatedSec) } : null,
      },
      values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec), rating, status, review_type: type, 'item.id': item?.id ?? '' },
      toOne: { item: ref('catalog-item', item?.id ?? '') },
      toMany: { events: [] },
    };
  });
  const kinds = { created: 'datetime', rating: 'number', status: 'string', review_type: 'string', verified: 'boolean', 'item.id': 'string' } as const;
  return new StaticTable('review', kinds, ['events'], rows);
}

const BLOCK_NAMES = ['Footer', 'Social Links', 'Brand Header', 'Shipping Banner', 'Legal Text', 'Signature', 'Promo Strip'] as const;

/** Universal content blocks: HTML or text, shared by templates. */
export function buildUniversalContent(ctx: BuildContext): StaticTable {
  const rng = rngFor(ctx, 'universal-content');
  const count = Math.max(4, Math.round(ctx.counts.templates / 2));
  const rows: StaticRow[] = Array.from({ length: count }, (_, index) => {
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec, ctx.endSec);
    const base = BLOCK_NAMES[index % BLOCK_NAMES.length] ?? 'Block';
    const name = index < BLOCK_NAMES.length ? base : `${base} ${Math.floor(index / BLOCK_NAMES.length) + 1}`;
    const html = rng.chance(0.5);
    const definition = html
      ? { content_type: 'block', type: 'html', data: { content: `<div class="${slug(name)}">${name}</div>`, display_options: {} } }
      : { content_type: 'block', type: 'text', data: { content: `<p>${name}</p>`, display_options: {}, styles: {} } };
    const id = ctx.ids.issue((attempt) => shortId(ctx.seed, 76, index, attempt));
    return {
      id,
      attributes: {
        name,
        definition,
        created: formatSeconds(createdSec),
        updated: formatSeconds(updatedSec),
        screenshot_status: rng.pick(['completed', 'completed', 'stale', 'never_generated']),
        screenshot_url: `https://cdn.northwind.example/universal/${id}.png`,
      },
      values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec), 'definition.content_type': 'block', 'definition.type': definition.type },
    };
  });
  const kinds = { name: 'string', created: 'datetime', updated: 'datetime', 'definition.content_type': 'string', 'definition.type': 'string' } as const;
  return new StaticTable('template-universal-content', kinds, [], rows);
}

const WEBHOOKS = [
  ['Warehouse sync', 'https://hooks.northwind.example/klav***'],
  ['SMS events to CRM', 'https://crm.northwind.example/in***'],
  ['Data lake', null],
] as const;

export function buildWebhooks(ctx: BuildContext): StaticTable {
  const rng = rngFor(ctx, 'webhooks');
  const rows: StaticRow[] = WEBHOOKS.map(([name, url], index) => {
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec, ctx.endSec);
    return {
      id: ulid(createdSec * 1000, ctx.seed, 77, index),
      attributes: {
        name,
        description: index === 0 ? 'Events for the data warehouse' : null,
        endpoint_url: url ?? 'https://lake.northwind.example/***',
        enabled: index !== 2,
        created_at: formatSeconds(createdSec),
        updated_at: formatSeconds(updatedSec),
      },
      toMany: { 'webhook-topics': [] },
    };
  });
  return new StaticTable('webhook', {}, ['webhook-topics'], rows);
}

const WEB_FEEDS = ['Bestsellers', 'Blog posts', 'Store hours', 'Weather'] as const;

export function buildWebFeeds(ctx: BuildContext): StaticTable {
  const rng = rngFor(ctx, 'web-feeds');
  const rows: StaticRow[] = WEB_FEEDS.map((name, index) => {
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec, ctx.endSec);
    return {
      id: ctx.ids.issue((attempt) => shortId(ctx.seed, 78, index, attempt)),
      attributes: {
        name,
        url: `https://feeds.northwind.example/${slug(name)}.${index % 2 === 0 ? 'json' : 'xml'}`,
        request_method: index === 3 ? 'post' : 'get',
        content_type: index % 2 === 0 ? 'json' : 'xml',
        created: formatSeconds(createdSec),
        updated: formatSeconds(updatedSec),
        status: index === 3 ? 'warning_nightly_refresh_timeout' : 'ok',
      },
      values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec) },
    };
  });
  return new StaticTable('web-feed', { name: 'string', created: 'datetime', updated: 'datetime' }, [], rows);
}
