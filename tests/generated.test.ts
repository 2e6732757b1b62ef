// Generated files (endpoint facts, schemas, record types, catalog.example.json, the spec's response schemas)
// must match what the generator makes from the spec and the registry today. Without the spec beside the project
// (a clean clone), the files made from the committed schemas are still checked against them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { generatedFiles, schemaDerivedFiles, schemaOwners, type GeneratedFile } from '../scripts/generate.js';
import { DEFAULT_SPEC, type JsonObject } from '../scripts/gen/spec.js';

const SPEC = process.env['KLAVIYO_OPENAPI'] ?? DEFAULT_SPEC;

function stale(files: GeneratedFile[]): string[] {
  return files.filter((file) => (existsSync(file.path) ? readFileSync(file.path, 'utf8') : null) !== file.content).map((f) => f.path);
}

describe('generated files', () => {
  it('record types and the example catalog match the committed schemas', async () => {
    const schemas = new Map(schemaOwners().map((s) => [s.name, JSON.parse(readFileSync(`schemas/${s.name}.json`, 'utf8')) as JsonObject]));
    assert.deepEqual(stale(await schemaDerivedFiles(schemas)), [], 'stale generated files: run npm run generate');
  });

  it(`are up to date with the OpenAPI spec and the stream registry, when the spec is at ${SPEC} or KLAVIYO_OPENAPI`, async () => {
    if (!existsSync(SPEC)) {
      console.warn(`      (the spec is not at ${SPEC}: only the files made from the committed schemas were checked)`);
      return;
    }
    assert.deepEqual(stale(await generatedFiles(SPEC)), [], 'stale generated files: run npm run generate');
  });
});
