// Runs the tap in-process (so nock sees its requests) with config/catalog/state written to a temp folder,
// and collects stdout messages and stderr lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { run } from '../../src/tap/cli/cli.js';
import { setLogSink } from '../../src/tap/shared/log.js';
import { API_KEY, BASE } from './fake-klaviyo.js';

export interface TapRun {
  code: number;
  stdout: string;
  stderr: string;
  messages: Array<Record<string, unknown>>;
  records(stream: string): Array<Record<string, unknown>>;
  states: unknown[];
  lastState: unknown;
}

export interface TapInput {
  config?: Record<string, unknown> | string;
  catalog?: unknown;
  state?: unknown;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export const BASE_CONFIG = {
  api_key: API_KEY,
  start_date: '2024-01-01T00:00:00Z',
  base_url: BASE,
  max_retries: 2,
  initial_retry_wait_s: 0.01,
  max_retry_wait_s: 0.05,
  lookback_days: 0,
};

function file(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

export async function runTap(input: TapInput): Promise<TapRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tap-klaviyo-test-'));
  const args = [...(input.args ?? [])];
  if (input.config !== undefined) args.push('--config', file(dir, 'config.json', input.config));
  if (input.catalog !== undefined) args.push('--catalog', file(dir, 'catalog.json', input.catalog));
  if (input.state !== undefined) args.push('--state', file(dir, 'state.json', input.state));
  let stdout = '';
  let stderr = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      stdout += chunk.toString();
      done();
    },
  });
  setLogSink((line) => {
    stderr += line;
  });
  const code = await run(args, input.env ?? {}, out, { write: (t: string) => (stderr += t) });
  const messages = stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const states = messages.filter((m) => m['type'] === 'STATE').map((m) => m['value']);
  return {
    code,
    stdout,
    stderr,
    messages,
    records: (stream) => messages.filter((m) => m['type'] === 'RECORD' && m['stream'] === stream).map((m) => m['record'] as Record<string, unknown>),
    states,
    lastState: states[states.length - 1],
  };
}

/** A catalog selecting only `streams` (from the tap's own discovery). */
export function catalogSelecting(catalog: { streams: Array<{ tap_stream_id: string; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }> }, streams: string[]): unknown {
  return {
    streams: catalog.streams.map((s) => ({
      ...s,
      metadata: s.metadata.map((m) => (m.breadcrumb.length === 0 ? { ...m, metadata: { ...m.metadata, selected: streams.includes(s.tap_stream_id) } } : m)),
    })),
  };
}
