// --test: the check a sync makes before any stream starts (every scope of the selected streams), as one line on
// stdout: ok, or failed with what the key lacks.
import type { TapConfig } from '../config/config.js';
import { AuthError, describeError } from '../shared/errors.js';
import type { KlaviyoClient } from '../http/http.js';
import { redact } from '../shared/log.js';
import { checkScopes, shortfallText } from '../account/scopes.js';
import type { KlaviyoStream } from '../engine/stream.js';

/**
 * --test: the check a sync makes before any stream starts, for the selected streams: the one line to print on stdout
 * and the exit code. `client` makes the client when a request is needed.
 */
export async function testKey(config: TapConfig, client: () => KlaviyoClient, streams: readonly KlaviyoStream[], selection: ReadonlyMap<string, Set<string>>): Promise<{ line: string; code: number }> {
  const selected = streams.filter((s) => selection.has(s.name));
  if (selected.length === 0) return { line: 'ok: no stream is selected in the catalog, so no scope was checked\n', code: 0 };
  try {
    const check = await checkScopes(selected, streams, client());
    if (check.shortfalls.length > 0) return { line: `failed: ${redact(shortfallText(check, selected.length))}\n`, code: 1 };
    const counts = `${selected.length} stream${selected.length === 1 ? '' : 's'}, ${check.requests} request${check.requests === 1 ? '' : 's'}`;
    return { line: `ok: the API key works and has every scope of the selected streams: ${check.scopes.join(', ')} (${counts}, revision ${config.revision})\n`, code: 0 };
  } catch (err) {
    const key = err instanceof AuthError && err.detail.status === 401 ? 'the API key was refused (it is missing or invalid): ' : '';
    return { line: `failed: ${key}${redact(describeError(err))}\n`, code: 1 };
  }
}
