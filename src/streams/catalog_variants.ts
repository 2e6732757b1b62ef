// https://developers.klaviyo.com/en/reference/get_catalog_variants
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Catalog variants (no updated filter: full table) */
export class CatalogVariants extends KlaviyoStream {
  readonly name = 'catalog_variants';
  readonly path = '/api/catalog-variants';
  readonly description = 'Catalog variants (no updated filter: full table)';
  override readonly smallTable = true;
}
