// The README documents what the tap really has: every setting, and the stream table --about prints.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtInStreams } from '../src/streams/registry.js';
import { aboutMarkdown } from '../src/tap/about.js';
import { CONFIG_SCHEMA, settingsDescription } from '../src/tap/config.js';

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

  it('has the stream table --about prints (key, replication, parent, scopes)', () => {
    const table = aboutMarkdown(builtInStreams()).split('## Streams')[1]?.trim() ?? '';
    assert.ok(readme.includes(table), 'README stream table is stale: paste `tap-klaviyo --about --format markdown`');
  });
});
