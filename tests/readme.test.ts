// The README documents what the tap really has (every setting, every stream) and stays a page for users; no link
// of the README or of docs/ is broken.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { builtInStreams } from '../src/streams/registry.js';
import { CONFIG_SCHEMA, settingsDescription } from '../src/tap/config/config.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('opens with the demo and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(firstBlock, /^npm ci && npm run demo/m);
    assert.match(firstBlock, /^npm ci && npm test/m);
  });

  it('lists every setting with its default', () => {
    for (const s of settingsDescription()) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.name}\` |`));
      assert.ok(row, `setting ${s.name} in the README`);
      if (s.default !== undefined) assert.ok(row.includes(JSON.stringify(s.default)), `default of ${s.name}`);
    }
  });

  it('the streams row names every per-stream override of schemas/config.json', () => {
    const row = readme.split('\n').find((l) => l.startsWith('| `streams` |')) ?? '';
    const overrides = (CONFIG_SCHEMA['properties'] as { streams: { additionalProperties: { properties: object } } }).streams.additionalProperties.properties;
    for (const key of Object.keys(overrides)) assert.ok(row.includes(key), `streams row: ${key}`);
  });

  it('links every stream to its page (the table npm run docs writes)', () => {
    for (const s of builtInStreams()) assert.ok(readme.includes(`| [\`${s.name}\`](docs/streams/${s.name}.md) |`), `${s.name} in the README's stream table`);
  });

  it('stays a page for users: under about 400 lines, internals in docs/', () => {
    assert.ok(readme.split('\n').length <= 420, `README.md has ${readme.split('\n').length} lines`);
  });

  it('every relative link of README.md, CONTRIBUTING.md and docs/*.md leads to a file that exists', () => {
    const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const broken: string[] = [];
    for (const page of pages) {
      for (const [, target = ''] of readFileSync(page, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const file = target.split('#')[0] ?? '';
        if (!existsSync(join(dirname(page), file))) broken.push(`${page}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
