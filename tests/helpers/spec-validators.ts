// Validators for the simulator's responses, from src/generated/openapi-responses.json (the spec's part for the
// endpoints the simulator serves; see scripts/generate.ts), so tests run without the full spec.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { RESPONSES_FILE } from '../../scripts/generate.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 -> JSON Schema: `nullable: true` becomes a null alternative, and `oneOf` becomes `anyOf`.
 * The second is needed because the spec's oneOf branches overlap without a discriminator (e.g. a
 * campaign's `send_options` is oneOf three identical schemas), so no value could match exactly one.
 */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key === 'oneOf' ? 'anyOf' : key] = toJsonSchema(value);
  if (out['nullable'] !== true) return out;
  delete out['nullable'];
  if (typeof out['type'] === 'string') {
    out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum'])) out['enum'] = [...(out['enum'] as unknown[]), null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function pointer(...segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

export interface SpecValidators {
  spec: Json;
  ajv: Ajv;
  /** The validator of a path template's (`/api/lists/{id}/profiles`) 200 response body. */
  validatorFor(template: string): ValidateFunction;
}

export function specValidators(): SpecValidators {
  const spec = JSON.parse(readFileSync(RESPONSES_FILE, 'utf8')) as Json;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(toJsonSchema(spec) as Json, 'openapi.json');
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (template: string): ValidateFunction => {
    let validate = validators.get(template);
    if (!validate) {
      const ref = `openapi.json#/${pointer('paths', template, 'get', 'responses', '200', 'content', 'application/vnd.api+json', 'schema')}`;
      validate = ajv.compile({ $ref: ref });
      validators.set(template, validate);
    }
    return validate;
  };
  return { spec, ajv, validatorFor };
}
