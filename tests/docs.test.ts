// docs/streams/ and the Meltano Hub definition are generated from the registry and --about: one page per
// stream, never stale (run npm run docs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { docFiles, staleDocs } from '../scripts/docs.js';
import { deletesText, DOCS_DIR } from '../scripts/gen/docs.js';
import { builtInStreams } from '../src/streams/registry.js';

describe('docs/', () => {
  it('is up to date (npm run docs)', () => {
    assert.deepEqual(staleDocs(), [], 'stale docs: run npm run docs');
  });

  it('has a page per stream with its key, replication, scopes, requests per run and deletes', () => {
    const paths = docFiles().map((f) => f.path);
    for (const s of builtInStreams()) {
      const path = `${DOCS_DIR}/${s.name}.md`;
      assert.ok(paths.includes(path), path);
      const page = readFileSync(path, 'utf8');
      assert.ok(page.includes(`| key | ${s.keyProperties.map((k) => `\`${k}\``).join(', ')} |`), `${s.name}: key`);
      assert.ok(page.includes(s.replicationKey ? `INCREMENTAL (\`${s.replicationKey}\`)` : 'FULL_TABLE'), `${s.name}: replication`);
      for (const scope of s.scopes) assert.ok(page.includes(`\`${scope}\``), `${s.name}: scope ${scope}`);
      assert.match(page, new RegExp(`${s.facts.rateLimit.perMinute}/min steady`), `${s.name}: rate tier`);
      assert.ok(page.includes(deletesText(s)), `${s.name}: deletes`);
    }
  });

  it('a changed page is stale', () => {
    const first = docFiles()[0];
    assert.ok(first);
    assert.deepEqual(staleDocs([{ ...first, content: `${first.content}\nedited by hand\n` }]), [first.path]);
  });
});
