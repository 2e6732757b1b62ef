// The shape of the code (CONTRIBUTING.md, "Where things live"): no file of src/ or scripts/ imports one that imports
// it back, through any chain (type imports count: they tie the files as closely for a reader), and the engine's
// files stay small enough to read whole.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Files of src/tap may grow to about 250 lines; past this one a file wants splitting. */
const MAX_TAP_LINES = 260;

/** Every .ts file below `dir` (repo-relative paths). */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A file's static and dynamic relative imports, as repo-relative .ts paths. */
function importsOf(file: string, text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s+'(\.[^']+)\.js'|import\(\s*'(\.[^']+)\.js'\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (spec) found.add(normalize(join(dirname(file), `${spec}.ts`)));
  }
  return [...found];
}

/** The circles of a graph: each strongly connected set of more than one file (or a file importing itself). */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const set: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = top === node ? undefined : stack.pop()) {
      onStack.delete(top);
      set.push(top);
    }
    if (set.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(set.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('the shape of the code', () => {
  const files = [...sources('src'), ...sources('scripts')];
  const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(join(ROOT, f), 'utf8'))]));

  it('reads the imports of every file (a sample of known ties)', () => {
    assert.ok(files.length > 200, `${files.length} files`);
    assert.ok(graph.get(join('src', 'tap', 'bin.ts'))?.includes(join('src', 'tap', 'cli', 'worker-bridge.ts')));
    assert.ok(graph.get(join('src', 'tap', 'engine', 'sync.ts'))?.includes(join('src', 'tap', 'engine', 'sync-types.ts')));
  });

  it('finds circles where there are some', () => {
    const example = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    assert.deepEqual(circles(example), [['a', 'b', 'c'], ['e']]);
    assert.deepEqual(importsOf('src/x/y.ts', "import type { A } from '../z/w.js';\nconst m = await import('./v.js');\n"), ['src/z/w.ts', 'src/x/v.ts']);
  });

  it('no import circles in src/ or scripts/', () => {
    assert.deepEqual(circles(graph), []);
  });

  it(`src/tap files are ${MAX_TAP_LINES} lines or less`, () => {
    const long = sources(join('src', 'tap'))
      .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_TAP_LINES);
    assert.deepEqual(long, []);
  });
});
