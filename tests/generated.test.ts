// Generated files (endpoint facts, schemas, record types, catalog.example.json) must match what the generator
// makes from the spec and the registry today.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { generatedFiles } from '../scripts/generate.js';
import { DEFAULT_SPEC } from '../scripts/gen/spec.js';

const SPEC = process.env['KLAVIYO_OPENAPI'] ?? DEFAULT_SPEC;

describe('generated files', () => {
  it('are up to date with the OpenAPI spec and the stream registry (npm run generate)', async function () {
    if (!existsSync(SPEC)) {
      console.warn(`      skipped: the OpenAPI spec is not at ${SPEC} (set KLAVIYO_OPENAPI)`);
      this.skip();
    }
    const stale: string[] = [];
    for (const file of await generatedFiles(SPEC)) {
      const current = existsSync(file.path) ? readFileSync(file.path, 'utf8') : null;
      if (current !== file.content) stale.push(file.path);
    }
    assert.deepEqual(stale, [], `stale generated files: run npm run generate`);
  });
});
