// Writes what is documented from the registry and --about: docs/streams/*.md (one page per stream, and an
// index), the README's stream table, the Meltano Hub-style plugin definition and the example Meltano project
// (meltano.yml). --check writes nothing and exits 1 naming what is stale.
// Usage: node dist/scripts/docs.js [--check]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { builtInStreams } from '../src/streams/registry.js';
import { docsIndex, DOCS_DIR, streamPage, withReadmeTable } from './gen/docs.js';
import { HUB_FILE, hubDefinition, PROJECT_FILE, projectDefinition } from './gen/meltano.js';
import type { GeneratedFile } from './generate.js';

const README = 'README.md';

export function docFiles(): GeneratedFile[] {
  const streams = builtInStreams();
  return [
    ...streams.map((s) => ({ path: `${DOCS_DIR}/${s.name}.md`, content: streamPage(s) })),
    { path: `${DOCS_DIR}/README.md`, content: docsIndex(streams) },
    { path: HUB_FILE, content: hubDefinition(streams) },
    { path: PROJECT_FILE, content: projectDefinition(streams) },
    { path: README, content: withReadmeTable(read(resolve(README)) ?? '', streams) },
  ];
}

/** The files whose content differs from what would be written (absent ones included). */
export function staleDocs(files: readonly GeneratedFile[] = docFiles()): string[] {
  return files.filter((f) => read(resolve(f.path)) !== f.content).map((f) => f.path);
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function main(argv: string[]): number {
  const files = docFiles();
  const stale = staleDocs(files);
  if (argv.includes('--check')) {
    process.stderr.write(stale.length > 0 ? `stale docs (run npm run docs): ${stale.join(', ')}\n` : 'docs are up to date\n');
    return stale.length > 0 ? 1 : 0;
  }
  for (const file of files.filter((f) => stale.includes(f.path))) {
    mkdirSync(dirname(resolve(file.path)), { recursive: true });
    writeFileSync(resolve(file.path), file.content);
  }
  process.stderr.write(`wrote ${stale.length} file(s)\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
