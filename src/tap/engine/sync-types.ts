// What the sync hands every stream run, report and progress line: the selected stream, the sync's dependencies and
// the stream's counters. Types only, so the modules that run streams need not import the sync.
import type { EventAudit } from '../reports/audit.js';
import type { TapConfig } from '../config/config.js';
import type { RecordShaper } from '../singer/fit.js';
import type { KlaviyoClient } from '../http/http.js';
import type { Metrics } from '../singer/metrics.js';
import type { Progress } from './progress.js';
import type { JsonSchema, MessageWriter } from '../singer/messages.js';
import type { StateStore } from '../state/state.js';
import type { StopSignal } from './stop.js';
import type { KlaviyoStream } from './stream.js';

export interface SelectedStream {
  stream: KlaviyoStream;
  /** Selected fields (automatic ones included). */
  selected: ReadonlySet<string>;
  /** The schema as sent in SCHEMA (selected fields only). */
  schema: JsonSchema;
  /** Makes each record fit that schema (or stops the run). */
  shaper: RecordShaper;
}

export interface SyncDeps {
  config: TapConfig;
  client: KlaviyoClient;
  store: StateStore;
  writer: MessageWriter;
  /** The sync's start, in microseconds: no bookmark moves past it. */
  startedAt: number;
  /** Singer METRIC lines (record counts per page, stream durations). */
  metrics?: Metrics;
  /** Periodic progress lines per running stream. */
  progress?: Progress;
  /** A graceful stop (SIGTERM/SIGINT): no new request, no ACTIVATE_VERSION, runSync rejects with StopRequested. */
  stop?: StopSignal;
  /** The completeness audit (`audit` / --audit): counts the events sent, checked after every stream is done. */
  audit?: EventAudit;
}

export interface StreamSummary {
  records: number;
  pages: number;
  seconds: number;
}
