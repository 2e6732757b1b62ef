// The command line: the only module that touches `process` (arguments, stdout, exit code).
import { stopOnSignals, stopGracefully, type SignalSource } from './signals.js';
import { testKey } from './test-key.js';
import { parseArgs } from 'node:util';
import { allStreams, builtInStreams } from '../../streams/registry.js';
import { aboutJson, aboutMarkdown, PACKAGE } from './about.js';
import { defaultSelection, discover, loadSelection } from '../singer/catalog.js';
import { checkStreamNames, CONFIG_FROM_ENV, loadConfig, settingsFromEnv, type TapConfig } from '../config/config.js';
import { formatJson } from '../shared/json.js';
import { AuthError, ConfigError, describeError } from '../shared/errors.js';
import { KlaviyoClient } from '../http/http.js';
import { log, logs, redact, setLogLevel } from '../shared/log.js';
import { MessageWriter, OutputClosedError } from '../singer/messages.js';
import { Metrics, metricsEnabled } from '../singer/metrics.js';
import { Progress } from '../engine/progress.js';
import { revisionWarning } from '../config/revision.js';
import { checkScopes, readableStreams } from '../account/scopes.js';
import { selectStreams } from '../singer/selection.js';
import { StateStore } from '../state/state.js';
import { loadState } from '../state/state-file.js';
import type { KlaviyoStream } from '../engine/stream.js';
import { planStreams } from './plan.js';
import { planTable } from './plan-table.js';
import { StopRequested, StopSignal } from '../engine/stop.js';
import { EventAudit } from '../reports/audit.js';
import { MAX_SAMPLE, sampleOptions, sampleOutput, type SampleOptions } from './sample.js';
import { runSync } from '../engine/sync.js';
import type { SelectedStream } from '../engine/sync-types.js';
import { nowMicros } from '../shared/time.js';

const USAGE = `Usage: tap-klaviyo --config CONFIG [--catalog CATALOG] [--state STATE] [--audit]
       tap-klaviyo --config CONFIG [--catalog CATALOG] [--state STATE] --plan
       tap-klaviyo --config CONFIG [--catalog CATALOG] --sample N [--format table|json]
       tap-klaviyo --config CONFIG --discover
       tap-klaviyo --config CONFIG [--catalog CATALOG] --test
       tap-klaviyo --about [--format json|markdown]
       tap-klaviyo --version | --help

Singer tap for Klaviyo. Messages go to stdout, logs to stderr.
  --config FILE       settings (see --about); each may instead come from TAP_KLAVIYO_<SETTING> (the file
                      wins), and without --config (or with --config ENV) all of them do, as Meltano passes them
  --catalog FILE      which streams and fields to sync (alias --properties); default: every stream
  --state FILE        bookmarks from an earlier run
  --discover          print the catalog of every stream
  --test              check that the API key has every scope the selected streams need (--catalog, else every
                      stream; one small request per scope); one line, exit 0 (yes) or 1 (naming what is missing)
  --plan              estimate, per selected stream, the requests a sync would make and the time the rate
                      limits allow (a few requests per stream); prints a table (not Singer messages) on
                      stdout, writes no state, syncs nothing
  --sample N          print the first N records (1-${MAX_SAMPLE}) of each selected stream on stderr, as a table or
                      with --format json one JSON line per record; nothing on stdout, no state, a few requests per stream
  --audit             this run only, as with the setting audit: compare the events sent per metric and day with
                      Klaviyo's counts and print the days that differ on stderr
  --about             describe the tap, its settings and streams`;

export type Exit = { code: number };

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        catalog: { type: 'string' },
        properties: { type: 'string' },
        state: { type: 'string' },
        discover: { type: 'boolean' },
        about: { type: 'boolean' },
        format: { type: 'string' },
        test: { type: 'boolean' },
        plan: { type: 'boolean' },
        sample: { type: 'string' },
        audit: { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.split('\n')[0]}; see --help`);
  }
}

function clientFor(config: TapConfig, metrics?: Metrics): KlaviyoClient {
  return new KlaviyoClient({
    ...(metrics ? { timer: metrics } : {}),
    baseUrl: config.base_url,
    apiKey: config.api_key,
    revision: config.revision,
    timeoutMs: config.request_timeout_s * 1000,
    maxRetries: config.max_retries,
    initialRetryWaitMs: config.initial_retry_wait_s * 1000,
    maxRetryWaitMs: config.max_retry_wait_s * 1000,
    maxInFlight: config.max_requests_in_flight,
    userAgent: `${PACKAGE.name}/${PACKAGE.version}`,
  });
}

/** Runs the tap; resolves with the exit code. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  stdout: import('node:stream').Writable,
  stderr: { write(text: string): unknown } = process.stderr,
  signals: SignalSource = process,
): Promise<number> {
  const args = parse(argv);
  if (args.help) return write(stdout, `${USAGE}\n`);
  if (args.version) return write(stdout, `${PACKAGE.name} ${PACKAGE.version}\n`);
  if (args.about) {
    const format = args.format ?? 'json';
    if (format !== 'json' && format !== 'markdown') throw new ConfigError(`--format must be json or markdown (got ${format})`, 'format');
    const streams = builtInStreams();
    return write(stdout, format === 'json' ? `${JSON.stringify(aboutJson(streams), null, 2)}\n` : aboutMarkdown(streams));
  }
  const configPath = args.config ?? null;
  if (configPath === null && Object.keys(settingsFromEnv(env)).length === 0) {
    throw new ConfigError(`--config is required (a JSON file of settings; see --about), unless the settings are given as TAP_KLAVIYO_<SETTING> environment variables (as Meltano passes them; --config ${CONFIG_FROM_ENV} says so)`, 'config');
  }
  const other = (['discover', 'test', 'plan', 'sample'] as const).find((flag) => args[flag] !== undefined);
  if (args.audit && other) throw new ConfigError(`--audit applies to a sync only; drop it or --${other}`, 'audit');
  const config = loadConfig(configPath, env);
  setLogLevel(config.log_level);
  const builtIn = builtInStreams().map((s) => s.name);
  checkStreamNames(config, builtIn);
  const streams = allStreams(config.metric_streams, config.account_id_column);
  if (args.discover) return write(stdout, `${formatJson(discover(streams))}\n`);
  const catalogPath = args.catalog ?? args.properties;
  const selection = catalogPath ? loadSelection(catalogPath, streams) : defaultSelection(streams);
  if (args.test) {
    warnRevision(config);
    const tested = await testKey(config, () => clientFor(config), streams, selection);
    stdout.write(tested.line);
    return tested.code;
  }
  const replicationKeys = new Map(streams.map((s) => [s.name, s.replicationKey]));
  const state = new StateStore(args.state ? loadState(args.state, replicationKeys) : undefined);
  const selected = selectStreams(streams, selection, config.schema_mismatch);
  const sampling = args.sample === undefined ? undefined : sampleOptions(args.sample, args.format ?? 'table');
  warnRevision(config);
  if (args.plan) return plan(config, selected, state, stdout);
  if (sampling) return sample(config, selected, sampling, stderr);
  if (args.audit) config.audit = true;
  return sync(config, streams, selected, state, stdout, signals);
}

/**
 * Once every input has been read and before the first request: a deprecated or retiring revision is worth a
 * warning wherever the tap calls the API (after the input checks, so bad input still gets exactly one line).
 */
function warnRevision(config: TapConfig): void {
  const note = revisionWarning(config.revision, new Date(nowMicros() / 1000));
  if (note) log.warn(note);
}

/** --plan: the estimate table on stdout (the only thing written there), no state, no records. */
async function plan(config: TapConfig, selected: SelectedStream[], store: StateStore, stdout: NodeJS.WritableStream): Promise<number> {
  const client = clientFor(config);
  const estimates = await planStreams(selected, { config, client, store, startedAt: nowMicros() });
  log.info('plan finished', { requests: client.stats.requests, retries: client.stats.retries });
  return write(stdout, planTable(estimates));
}

/** --sample N: the first N records of each selected stream on stderr; stdout stays empty, no state is written. */
async function sample(config: TapConfig, selected: SelectedStream[], options: SampleOptions, stderr: { write(text: string): unknown }): Promise<number> {
  const client = clientFor(config);
  for await (const text of sampleOutput(selected, options, { config, client, startedAt: nowMicros() })) stderr.write(text);
  log.info('sample finished', { streams: selected.length, requests: client.stats.requests });
  return 0;
}

async function sync(
  config: TapConfig,
  streams: readonly KlaviyoStream[],
  chosen: SelectedStream[],
  store: StateStore,
  stdout: import('node:stream').Writable,
  signals: SignalSource,
): Promise<number> {
  if (chosen.length === 0) log.warn('no stream is selected in the catalog: nothing to sync');
  const writer = new MessageWriter(stdout);
  const metrics = new Metrics(metricsEnabled(config.metrics_log_level), config.metrics_interval_s);
  const progress = new Progress(logs('info') ? config.progress_interval_s : 0);
  const client = clientFor(config, metrics);
  // Before any stream starts (nothing written yet): every stream the key lacks a scope for, found at once.
  const check = await checkScopes(chosen.map((s) => s.stream), streams, client);
  log.info('API key scopes checked', { scopes: check.scopes.length, requests: check.requests, streams_lacking: check.shortfalls.map((s) => s.stream) });
  const selected = readableStreams(chosen, check, config.missing_scopes);
  const stopMetrics = metrics.start();
  const stopProgress = progress.start();
  const stop = new StopSignal();
  const detachSignals = stopOnSignals(stop, signals);
  let summaries: Awaited<ReturnType<typeof runSync>>;
  try {
    const syncing = runSync(selected, { config, client, store, writer, startedAt: nowMicros(), metrics, progress, stop, ...(config.audit ? { audit: new EventAudit() } : {}) });
    const finished = await Promise.race([syncing, stop.whenRequested().then(() => null)]);
    if (finished === null) {
      syncing.catch(() => undefined); // it unwinds in the background; nothing of it reaches stdout any more
      return await stopGracefully(stop, writer, store);
    }
    summaries = finished;
  } catch (err) {
    if (err instanceof StopRequested) return await stopGracefully(stop, writer, store);
    if (!(err instanceof OutputClosedError)) await writer.flush().catch(() => undefined);
    throw err;
  } finally {
    detachSignals();
    stopProgress();
    stopMetrics();
  }
  log.info('sync finished', {
    requests: client.stats.requests,
    retries: client.stats.retries,
    // Both figures are the whole process's, also when read in the worker thread: the relaying main thread counts.
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpu_s: Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e4) / 100,
    streams: Object.fromEntries(summaries),
  });
  return 0;
}

/**
 * Exit codes: 0 ok, 1 API or runtime failure, 2 bad input (config, catalog, state, flags), 3 key refused,
 * 130/143 stopped by SIGINT/SIGTERM (STOP_EXIT_CODES).
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ConfigError) return 2;
  if (err instanceof AuthError) return 3;
  return 1;
}

/** `main`, with any failure turned into one redacted line on stderr and its exit code. */
export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  stdout: import('node:stream').Writable,
  stderr: { write(text: string): unknown },
  signals: SignalSource = process,
): Promise<number> {
  try {
    return await main(argv, env, stdout, stderr, signals);
  } catch (err) {
    stderr.write(`tap-klaviyo: ${redact(describeError(err)).replace(/\s*\n\s*/g, ' ')}\n`);
    return exitCodeFor(err);
  }
}

function write(stdout: NodeJS.WritableStream, text: string): number {
  stdout.write(text);
  return 0;
}
