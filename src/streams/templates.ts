// https://developers.klaviyo.com/en/reference/get_templates
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Email templates with their HTML and text */
export class Templates extends KlaviyoStream {
  readonly name = 'templates';
  readonly path = '/api/templates';
  readonly description = 'Email templates with their HTML and text';
  override readonly replicationKey = 'updated';
  /** Drag-and-drop templates' structure is returned only when asked for. */
  override readonly additionalFields = { definition: 'template' };
}
