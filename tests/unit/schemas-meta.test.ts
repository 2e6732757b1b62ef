// The tap's ajv skips checking its own schemas against the JSON Schema meta-schema at start-up (json.ts newAjv):
// every committed schema is checked here instead, and compiles.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { newAjv, readSchemaFile, SCHEMAS_DIR } from '../../src/tap/shared/json.js';

describe('committed schemas', () => {
  const files = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.json'));

  it('there are schemas to check (config, catalog and the streams)', () => {
    assert.ok(files.includes('config.json') && files.includes('catalog.json') && files.includes('events.json'));
  });

  for (const file of files) {
    it(`${file}: valid against its meta-schema, and compiles`, () => {
      const schema = readSchemaFile(file);
      const ajv = new Ajv({ strict: false });
      assert.equal(ajv.validateSchema(schema), true, ajv.errorsText(ajv.errors));
      assert.equal(typeof newAjv().compile(schema), 'function');
    });
  }

  it('a schema that breaks the meta-schema is caught by this check', () => {
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema({ type: 'object', properties: { id: { type: 'text' } } }), false);
  });
});
