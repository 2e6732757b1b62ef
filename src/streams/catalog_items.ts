// https://developers.klaviyo.com/en/reference/get_catalog_items
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Catalog items (no updated filter: full table) */
export class CatalogItems extends KlaviyoStream {
  readonly name = 'catalog_items';
  readonly path = '/api/catalog-items';
  readonly description = 'Catalog items (no updated filter: full table)';
  override readonly smallTable = true;
}
