// Writes JSON (or raw text) to a fresh temp folder, for tests that load files directly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempFile(name: string, value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-klaviyo-unit-'));
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}
