// Loads and checks the tap's config (schemas/config.json); the API key may come from the environment.
import { ConfigError } from '../shared/errors.js';
import type { MismatchPolicy } from '../singer/fit-value.js';
import * as generated from '../../generated/validators.js';
import { assertValid, closest, readJsonFile, readSchemaFile, type Validator } from '../shared/json.js';
import { registerSecret } from '../shared/log.js';
import { parseUserDate } from '../shared/time.js';

export interface StreamOverrides {
  start_date?: string;
  end_date?: string;
  page_size?: number;
  lookback_days?: number;
  full_reread_days?: number;
  full_refresh_days?: number;
}

export interface TapConfig {
  api_key: string;
  start_date: string;
  end_date?: string;
  revision: string;
  lookback_days: number;
  full_reread_days: number;
  full_refresh_days: number;
  emit_deleted_records: boolean;
  /** Most keys a stream keeps to find deleted records (deletes.ts). */
  max_tracked_ids: number;
  /** The completeness audit after the event streams (audit.ts). */
  audit: boolean;
  /** Reporting API streams (see reports.ts). Unset: "Placed Order", a default that may be absent (account-names.ts). */
  conversion_metric?: string;
  report_days: number;
  report_reread_days: number;
  report_daily_budget: number;
  request_timeout_s: number;
  max_retries: number;
  initial_retry_wait_s: number;
  max_retry_wait_s: number;
  max_requests_in_flight: number;
  base_url: string;
  metric_streams: Record<string, string>;
  streams: Record<string, StreamOverrides>;
  schema_mismatch: MismatchPolicy;
  /** What a run does with selected streams the key lacks scopes for (scopes.ts). */
  missing_scopes: 'fail' | 'skip';
  account_id_column: boolean;
  log_level: 'debug' | 'info' | 'warn' | 'error';
  progress_interval_s: number;
  metrics_log_level: 'debug' | 'info' | 'warn' | 'error';
  metrics_interval_s: number;
}

export const API_KEY_ENV = 'TAP_KLAVIYO_API_KEY';

export const CONFIG_SCHEMA = readSchemaFile('config.json');
const validateConfig = generated.config as Validator;
const SETTINGS = Object.keys(CONFIG_SCHEMA['properties'] as object);
const OVERRIDES = Object.keys(
  ((CONFIG_SCHEMA['properties'] as Record<string, { additionalProperties?: { properties?: object } }>)['streams']?.additionalProperties?.properties ?? {}),
);

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * `--config ENV`, as the Meltano SDK spells it: the settings come from the environment only (TAP_KLAVIYO_*), as
 * they do when `--config` is absent (Meltano runs a plugin's commands, `meltano test` too, without a config file).
 */
export const CONFIG_FROM_ENV = 'ENV';

/**
 * Settings that Meltano SDK taps take and this tap (not built on the SDK) does not have: each is refused with what
 * to do instead, not only "unknown key". Stream maps, flattening and faker are the SDK's built-in mapper.
 */
const MAPPER = 'a Meltano SDK mapper feature, which this tap (not built on the Meltano SDK) does not have; remove it and put a mapper plugin between the tap and the target, e.g. meltano-map-transformer (meltano run tap-klaviyo meltano-map-transformer target-...)';
export const SDK_SETTINGS: Readonly<Record<string, string>> = {
  stream_maps: MAPPER,
  stream_map_config: MAPPER,
  flattening_enabled: MAPPER,
  flattening_max_depth: MAPPER,
  faker_config: MAPPER,
  batch_config: 'the Meltano SDK\'s BATCH message setting, which this tap (not built on the Meltano SDK) does not have; remove it (the tap sends RECORD messages)',
};

/**
 * Reads, validates and completes the config (defaults applied): the file at `path` over the TAP_KLAVIYO_* variables
 * of `env`; with `path` null (or CONFIG_FROM_ENV), the variables alone.
 */
export function loadConfig(path: string | null, env: NodeJS.ProcessEnv): TapConfig {
  const fromFile = path === null || path === CONFIG_FROM_ENV ? {} : readConfigFile(path);
  const value: Record<string, unknown> = { ...settingsFromEnv(env), ...fromFile };
  refuseSdkSettings(fromFile);
  if (typeof value['api_key'] === 'string') registerSecret(value['api_key']);
  assertValid<TapConfig>(validateConfig, value, 'config', (field) => {
    const choices = field.startsWith('streams.') ? OVERRIDES : SETTINGS;
    const guess = closest(field.split('.').pop() ?? field, choices);
    return guess ? `did you mean "${guess}"?` : `remove it (allowed: ${choices.join(', ')})`;
  });
  if (!value.api_key) {
    throw new ConfigError(`config: "api_key" is required; set it in the config file or in ${API_KEY_ENV}`, 'api_key');
  }
  checkDates(value, 'config');
  for (const [stream, overrides] of Object.entries(value.streams)) checkDates(overrides, `config: streams.${stream}`, value);
  checkBaseUrl(value.base_url);
  value.base_url = value.base_url.replace(/\/+$/, '');
  return value;
}

function readConfigFile(path: string): Record<string, unknown> {
  const raw = readJsonFile(path, '--config');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`--config ${path}: expected a JSON object of settings`, 'config');
  }
  return raw as Record<string, unknown>;
}

function refuseSdkSettings(settings: Record<string, unknown>): void {
  const name = Object.keys(SDK_SETTINGS).find((setting) => setting in settings);
  if (name !== undefined) throw new ConfigError(`config: "${name}" is ${SDK_SETTINGS[name] ?? ''}`, name);
}

/** The environment variable a setting may come from (Meltano passes every setting so): TAP_KLAVIYO_<NAME>. */
export function envName(setting: string): string {
  return `TAP_KLAVIYO_${setting.toUpperCase()}`;
}

/**
 * Settings given in the environment, read by their schema type (numbers, booleans and objects as JSON). The
 * config file wins over them. Other TAP_KLAVIYO_* variables are not settings and are left alone.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const props = CONFIG_SCHEMA['properties'] as Record<string, { type: string }>;
  const out: Record<string, unknown> = {};
  for (const [name, { type }] of Object.entries(props)) {
    const text = env[envName(name)];
    if (text === undefined || text === '') continue;
    if (type === 'string') {
      out[name] = text;
      continue;
    }
    try {
      // Booleans as Meltano (and Python) may spell them: true, True, TRUE.
      const parsed: unknown = JSON.parse(type === 'boolean' ? text.toLowerCase() : text);
      out[name] = type === 'object' ? nestDotted(parsed) : parsed;
    } catch {
      const example = type === 'object' ? '{"placed_order": "Placed Order"}' : type === 'boolean' ? 'true' : '30';
      throw new ConfigError(`${envName(name)}: not a ${type}: ${JSON.stringify(text)}; give JSON, e.g. ${example}`, name);
    }
  }
  return out;
}

/**
 * Meltano passes an object setting's nested keys flattened with dots (`{"events.page_size": 50}` for `{"events":
 * {"page_size": 50}}`): nested again. No stream id or override name has a dot, so a dotted key is always a path.
 */
function nestDotted(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const path = key.split('.');
    let node = out;
    for (const step of path.slice(0, -1)) {
      const next = node[step];
      node = (node[step] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
    }
    node[path[path.length - 1] ?? key] = inner;
  }
  return out;
}

function checkDates(value: StreamOverrides, where: string, fallback?: StreamOverrides): void {
  const start = value.start_date ?? fallback?.start_date;
  const end = value.end_date ?? fallback?.end_date;
  for (const [name, date] of [['start_date', value.start_date], ['end_date', value.end_date]] as const) {
    if (date !== undefined && parseUserDate(date) === null) {
      throw new ConfigError(`${where}: "${name}" is not a date: ${JSON.stringify(date)}; use ISO 8601, e.g. 2024-01-01T00:00:00Z`, name);
    }
  }
  if (start && end && (parseUserDate(end) ?? 0) <= (parseUserDate(start) ?? 0)) {
    throw new ConfigError(`${where}: "end_date" (${end}) must be after "start_date" (${start})`, 'end_date');
  }
}

function checkBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(`config: "base_url" is not a URL: ${JSON.stringify(baseUrl)}; use e.g. https://a.klaviyo.com`, 'base_url');
  }
  const plainLoopback = url.protocol === 'http:' && LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !plainLoopback) {
    throw new ConfigError(`config: "base_url" must use https (plain http only for loopback hosts): ${url.origin}`, 'base_url');
  }
  if (url.pathname !== '/' || url.search || url.username || url.password) {
    throw new ConfigError(`config: "base_url" must be an origin only, e.g. https://a.klaviyo.com (got ${url.origin}${url.pathname})`, 'base_url');
  }
}

/** Checks the stream ids the config names against the streams the tap has. */
export function checkStreamNames(config: TapConfig, builtIn: readonly string[]): void {
  for (const name of Object.keys(config.metric_streams)) {
    if (builtIn.includes(name)) {
      throw new ConfigError(`config: metric_streams.${name} clashes with a built-in stream; choose another stream id`, `metric_streams.${name}`);
    }
  }
  const all = [...builtIn, ...Object.keys(config.metric_streams)];
  for (const name of Object.keys(config.streams)) {
    if (!all.includes(name)) {
      const guess = closest(name, all);
      throw new ConfigError(`config: streams.${name} names no stream${guess ? `; did you mean "${guess}"?` : ''}`, `streams.${name}`);
    }
  }
}

/** The settings with their schema entries, for --about. */
export function settingsDescription(): Array<{ name: string; type: string; default?: unknown; description: string }> {
  const props = CONFIG_SCHEMA['properties'] as Record<string, { type: string; default?: unknown; description?: string }>;
  return Object.entries(props).map(([name, p]) => ({
    name,
    type: p.type,
    ...(p.default !== undefined ? { default: p.default } : {}),
    description: p.description ?? '',
  }));
}
