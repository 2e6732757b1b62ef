// Input files for child-process runs of the tap: a fresh temp folder per workspace, a catalog of chosen streams
// with every field selected, and the environment the child gets (no API key from the parent's environment).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover, type Catalog } from '../../src/tap/singer/catalog.js';
import { STREAMS } from './e2e.js';

export { CHILD_ENV } from './child-env.js';

export class TapFiles {
  readonly dir: string;

  constructor(prefix = 'tap-klaviyo-files-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** Writes `value` as JSON (a string as is) and returns the path. */
  write(name: string, value: unknown): string {
    const path = join(this.dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  }
}

/** A catalog with the chosen built-in streams only, every field selected (the ground truth has every field). */
export function catalogOfStreams(streams: readonly string[]): Catalog {
  const entries = discover(STREAMS).streams.filter((s) => streams.includes(s.tap_stream_id));
  for (const entry of entries) for (const m of entry.metadata) m.metadata['selected'] = true;
  return { streams: entries };
}
