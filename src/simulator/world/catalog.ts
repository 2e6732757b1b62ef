// Catalog categories, items and variants of the `$custom` integration's `$default` catalog.
import { CATEGORY_NAMES, PRODUCT_ADJECTIVES, PRODUCT_NOUNS, VARIANT_OPTIONS } from './vocabulary.js';
import { formatSeconds, randomStamps, ref, rngFor, secondsValue, slug, type BuildContext } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';

const PREFIX = '$custom:::$default:::';
const SHOP = 'https://shop.northwind.example';

export interface Catalog {
  categories: StaticTable;
  items: StaticTable;
  variants: StaticTable;
}

function buildCategories(ctx: BuildContext): StaticRow[] {
  const rng = rngFor(ctx, 'catalog-categories');
  return Array.from({ length: ctx.counts.categories }, (_, index) => {
    const base = CATEGORY_NAMES[index % CATEGORY_NAMES.length] ?? 'Category';
    const name = index < CATEGORY_NAMES.length ? base : `${base} ${Math.floor(index / CATEGORY_NAMES.length) + 1}`;
    const externalId = `CAT-${slug(name).toUpperCase()}`;
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec - 300 * 86_400, ctx.endSec);
    return {
      id: `${PREFIX}${externalId}`,
      attributes: { external_id: externalId, name, updated: formatSeconds(updatedSec) },
      values: { created: secondsValue(createdSec), 'item.id': [] as string[] },
      toMany: { items: [] },
    };
  });
}

function itemRow(ctx: BuildContext, index: number, categories: StaticRow[]): StaticRow {
  const rng = rngFor(ctx, `catalog-item-${index}`);
  const title = `${rng.pick(PRODUCT_ADJECTIVES)} ${rng.pick(PRODUCT_NOUNS)}`;
  const externalId = `SKU-${1001 + index}`;
  const id = `${PREFIX}${externalId}`;
  const picked = rng.sample(categories.length, rng.between(1, 3)).map((c) => categories[c]).filter((c): c is StaticRow => c !== undefined);
  for (const category of picked) {
    (category.values?.['item.id'] as string[]).push(id);
    category.toMany?.['items']?.push(ref('catalog-item', id));
  }
  const image = `${SHOP}/images/${externalId.toLowerCase()}.jpg`;
  const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec - 200 * 86_400, ctx.endSec);
  return {
    id,
    attributes: {
      external_id: externalId,
      title,
      description: `Our ${title.toLowerCase()}, made to last. Ships in recycled packaging.`,
      price: Math.round(rng.between(900, 18_900)) / 100,
      url: `${SHOP}/products/${slug(title)}-${1001 + index}`,
      image_full_url: image,
      image_thumbnail_url: image.replace('.jpg', '_thumb.jpg'),
      images: [image],
      custom_metadata: { material: rng.pick(['cotton', 'wool', 'steel', 'ceramic', 'recycled nylon']), season: rng.pick(['SS', 'FW']) },
      published: rng.chance(0.9),
      created: formatSeconds(createdSec),
      updated: formatSeconds(updatedSec),
    },
    values: { created: secondsValue(createdSec), 'category.id': picked.map((c) => c.id) },
    toMany: { variants: [] },
  };
}

function variantRows(ctx: BuildContext, item: StaticRow, index: number): StaticRow[] {
  const rng = rngFor(ctx, `catalog-variants-${index}`);
  const options = rng.sample(VARIANT_OPTIONS.length, rng.between(1, 3)).map((o) => VARIANT_OPTIONS[o] ?? 'One Size');
  const a = item.attributes;
  return options.map((option) => {
    const sku = `${String(a['external_id'])}-${option.toUpperCase().replace(/\s/g, '')}`;
    const id = `${PREFIX}${sku}`;
    item.toMany?.['variants']?.push(ref('catalog-variant', id));
    const createdSec = Number(item.values?.['created']) / 1_000_000 + rng.int(86_400 * 30);
    return {
      id,
      attributes: {
        external_id: sku,
        title: `${String(a['title'])} / ${option}`,
        description: a['description'],
        sku,
        inventory_policy: rng.pick([0, 1, 2]),
        inventory_quantity: rng.between(0, 500),
        price: a['price'],
        url: `${String(a['url'])}?variant=${sku.toLowerCase()}`,
        image_full_url: a['image_full_url'],
        image_thumbnail_url: a['image_thumbnail_url'],
        images: a['images'],
        custom_metadata: { option },
        published: a['published'],
        created: formatSeconds(createdSec),
        updated: formatSeconds(Math.min(ctx.endSec, createdSec + rng.int(86_400 * 200))),
      },
      values: { created: secondsValue(createdSec), 'item.id': item.id },
      toOne: { item: ref('catalog-item', item.id) },
    };
  });
}

export function buildCatalog(ctx: BuildContext): Catalog {
  const categoryRows = buildCategories(ctx);
  const itemRows = Array.from({ length: ctx.counts.catalogItems }, (_, index) => itemRow(ctx, index, categoryRows));
  const variants = itemRows.flatMap((item, index) => variantRows(ctx, item, index));
  return {
    categories: new StaticTable('catalog-category', { ids: 'string', 'item.id': 'string', name: 'string' }, ['items'], categoryRows),
    items: new StaticTable('catalog-item', { ids: 'string', 'category.id': 'string', title: 'string', published: 'boolean' }, ['variants'], itemRows),
    variants: new StaticTable(
      'catalog-variant',
      { ids: 'string', 'item.id': 'string', sku: 'string', title: 'string', published: 'boolean' },
      [],
      variants,
    ),
  };
}
