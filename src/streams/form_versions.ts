// https://developers.klaviyo.com/en/reference/get_versions_for_form
import { KlaviyoStream } from '../tap/engine/stream.js';

/** The versions (A/B variations) of every sign-up form: one partition per form, incremental on `updated_at`. */
export class FormVersions extends KlaviyoStream {
  readonly name = 'form_versions';
  readonly path = '/api/forms/{id}/form-versions';
  readonly description = 'Sign-up form versions (the variations of each form)';
  override readonly replicationKey = 'updated_at';
  override readonly parent = { stream: 'forms', path: '/api/forms', resourceType: 'form', cheapField: 'name', key: 'form_id' };
}
