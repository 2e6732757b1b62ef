// https://developers.klaviyo.com/en/reference/get_catalog_categories
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Catalog categories (no updated filter: full table) */
export class CatalogCategories extends KlaviyoStream {
  readonly name = 'catalog_categories';
  readonly path = '/api/catalog-categories';
  readonly description = 'Catalog categories (no updated filter: full table)';
  override readonly smallTable = true;
}
