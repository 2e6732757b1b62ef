// Names the tap looks up in the account: a metric stream's metric (built in, or `metric_streams`) and the reports'
// `conversion_metric`. Read once per run from /api/metrics. checkAccountNames runs before any stream starts: a name
// the user set that the account lacks is a config error then (never midway), a default that does not resolve is one
// warning and skips (or trims) what needs it. A name is found under Klaviyo's known earlier names too (metric-names.ts).
import { ENDPOINTS } from '../../generated/endpoints.js';
import { METRIC_RENAMES } from '../../streams/metric-names.js';
import type { TapConfig } from '../config/config.js';
import { ConfigError, FatalApiError } from '../shared/errors.js';
import { paginate } from '../http/paginate.js';
import type { KlaviyoClient } from '../http/http.js';
import { closest } from '../shared/json.js';
import { log } from '../shared/log.js';
import { CONVERSION_STATISTICS } from '../reports/report-facts.js';
import { budgetOf } from '../http/endpoint-facts.js';
import type { KlaviyoStream } from '../engine/stream.js';
import type { StreamRuntime } from '../engine/stream-types.js';

/** What reports count conversions with when `conversion_metric` is not set. */
export const DEFAULT_CONVERSION_METRIC = 'Placed Order';
/** Sent as `conversion_metric_id` (which Klaviyo requires) when the reports run without conversion statistics. */
const STAND_IN = 'Received Email';

export interface MetricEntry {
  id: string;
  name: string;
  created: string;
  integration: string;
}

/** A name looked up: the name of the chain the account has (null: none), and every metric of that name. */
export interface MetricMatch {
  matched: string | null;
  ids: string[];
}

/**
 * The reports' conversion metric: `counted` false means the metric the user meant is absent and `id` only stands
 * in for the required `conversion_metric_id` (no conversion statistic is asked for); null: the account has no metric.
 */
export interface ConversionChoice {
  id: string;
  name: string;
  counted: boolean;
}

/** The names to look `name` up under, in order: itself, then the other names of its rename chain, newest first. */
export function namesOf(name: string): string[] {
  const chain = METRIC_RENAMES.find((names) => names.includes(name));
  return chain ? [name, ...chain.filter((n) => n !== name)] : [name];
}

/** Oldest first (then by id): the order several metrics of one name are listed and chosen in. */
function byAge(a: MetricEntry, b: MetricEntry): number {
  return a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class AccountNames {
  constructor(readonly metrics: readonly MetricEntry[]) {}

  /** The metrics named `name`, or else named as it was (or is now) called: the first name of its chain the account has. */
  metric(name: string): MetricMatch {
    for (const candidate of namesOf(name)) {
      const ids = this.metrics.filter((m) => m.name === candidate).sort(byAge).map((m) => m.id);
      if (ids.length > 0) return { matched: candidate, ids };
    }
    return { matched: null, ids: [] };
  }

  /** Metric names of the account close to `name` (edit distance, or a shared word), closest first, at most three. */
  closeNames(name: string): string[] {
    const words = new Set(name.toLowerCase().split(/\W+/).filter((w) => w.length >= 4));
    const names = [...new Set(this.metrics.map((m) => m.name))];
    const near = closest(name, names);
    const sharing = names.filter((n) => n !== near && n.toLowerCase().split(/\W+/).some((w) => words.has(w))).sort();
    return [...(near ? [near] : []), ...sharing].slice(0, 3);
  }

  /** The conversion metric of `config` (a name, or a metric id); throws when a name the user set is missing. */
  conversion(config: Pick<TapConfig, 'conversion_metric'>): ConversionChoice | null {
    const wanted = config.conversion_metric ?? DEFAULT_CONVERSION_METRIC;
    const byId = this.metrics.find((m) => m.id === wanted);
    if (byId) return { id: byId.id, name: byId.name, counted: true };
    const found = this.metric(wanted);
    const [id] = found.ids;
    if (id !== undefined && found.matched !== null) return { id, name: found.matched, counted: true };
    if (config.conversion_metric !== undefined) throw this.missingConversion(wanted);
    const standIn = this.metric(STAND_IN).ids[0] ?? [...this.metrics].sort(byAge)[0]?.id;
    return standIn === undefined ? null : { id: standIn, name: this.metrics.find((m) => m.id === standIn)?.name ?? '', counted: false };
  }

  private missingConversion(wanted: string): ConfigError {
    const close = this.closeNames(wanted);
    const hint = close.length > 0 ? ` (e.g. ${close.map((n) => `"${n}"`).join(', ')})` : this.metrics.length > 0 ? ' (see the metrics stream)' : ' (the account has no metric yet)';
    return new ConfigError(
      `config: conversion_metric "${wanted}" is no metric of this account; set conversion_metric to one of its metric names${hint} or a metric id, or remove it to run the reports without conversion statistics`,
      'conversion_metric',
    );
  }
}

/** Every metric of the account (id, name, created, integration), read once per run. */
export function accountNames(rt: Pick<StreamRuntime, 'client' | 'memo'>): Promise<AccountNames> {
  return rt.memo('account-names', () => readMetrics(rt.client));
}

async function readMetrics(client: KlaviyoClient): Promise<AccountNames> {
  const facts = ENDPOINTS['/api/metrics'];
  if (!facts) throw new Error('the spec has no /api/metrics');
  const metrics: MetricEntry[] = [];
  for await (const page of paginate(client, '/api/metrics?fields[metric]=name,created,integration', budgetOf(facts))) {
    for (const m of page.data) {
      const a = m.attributes ?? {};
      const integration = (a['integration'] as { name?: unknown } | null | undefined)?.name;
      metrics.push({ id: m.id, name: String(a['name'] ?? ''), created: String(a['created'] ?? ''), integration: typeof integration === 'string' ? integration : '' });
    }
  }
  return new AccountNames(metrics);
}

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/**
 * Before any stream starts: resolves every name the selected streams look up. A name the user set that the account
 * lacks stops the run here (a config error, nothing written yet); a default that does not resolve is one warning.
 */
export async function checkAccountNames(streams: readonly KlaviyoStream[], config: TapConfig, rt: Pick<StreamRuntime, 'client' | 'memo'>): Promise<void> {
  const lookups = streams.filter((s) => s.metricLookup !== null);
  const converting = streams.filter((s) => s.needsConversionMetric).map((s) => s.name);
  if (lookups.length === 0 && converting.length === 0) return;
  let names: AccountNames;
  try {
    names = await accountNames(rt);
  } catch (err) {
    // Named after the streams that need the metrics (and, on 403, the scope they need).
    if (err instanceof FatalApiError && err.stream === undefined) {
      const names = [...lookups.map((s) => s.name), ...converting].join(', ');
      err.stream = names;
      err.message = `stream ${names}: ${err.message}${err.detail.status === 403 ? '; these streams look metrics up by name: the key needs the scope metrics:read, or deselect them' : ''}`;
    }
    throw err;
  }
  checkMetricStreams(names, lookups);
  if (converting.length > 0) checkConversion(names, config, converting);
}

function checkMetricStreams(names: AccountNames, streams: readonly KlaviyoStream[]): void {
  const missing: KlaviyoStream[] = [];
  for (const stream of streams) {
    const lookup = stream.metricLookup;
    if (!lookup) continue;
    const { matched, ids } = names.metric(lookup.name);
    if (matched === null && lookup.setting !== null) {
      const close = names.closeNames(lookup.name);
      const hint = close.length > 0 ? ` (e.g. ${quoted(close)})` : '';
      throw new ConfigError(`config: ${lookup.setting} "${lookup.name}" is no metric of this account; set it to one of its metric names${hint}, or remove it`, lookup.setting);
    }
    if (matched === null) missing.push(stream);
    else if (matched !== lookup.name) log.info(`stream ${stream.name}: metric "${lookup.name}" found under its earlier name "${matched}"`, { metric_ids: ids });
    if (ids.length > 1) log.info(`stream ${stream.name}: ${ids.length} metrics are named "${matched}" (one per integration): each is read, its records carry its metric_id`, { metrics: describe(names, ids) });
  }
  if (missing.length > 0) {
    const wanted = missing.map((s) => s.metricLookup?.name ?? '');
    log.warn(`streams ${missing.map((s) => s.name).join(', ')}: the account has no metric named ${quoted(wanted)} (nor under an earlier name); they send no records`);
  }
}

function checkConversion(names: AccountNames, config: TapConfig, streams: readonly string[]): void {
  const choice = names.conversion(config);
  const wanted = config.conversion_metric ?? DEFAULT_CONVERSION_METRIC;
  if (choice === null) {
    log.warn(`conversion_metric: the account has no metric at all (no message was ever sent); ${streams.join(', ')} are skipped`);
    return;
  }
  if (!choice.counted) {
    const close = names.closeNames(wanted);
    log.warn(
      `conversion_metric: the account has no metric "${wanted}" (the default); ${streams.join(', ')} run without conversion statistics (${CONVERSION_STATISTICS.join(', ')} stay empty): set conversion_metric to the metric a conversion is${close.length > 0 ? ` (e.g. ${quoted(close)})` : ''}, or a metric id`,
    );
    return;
  }
  if (choice.name !== wanted && !names.metrics.some((m) => m.id === wanted)) log.info(`conversion_metric: "${wanted}" found under its earlier name "${choice.name}"`, { metric_id: choice.id });
  const same = names.metric(choice.name).ids;
  if (same.length > 1 && !names.metrics.some((m) => m.id === wanted)) {
    log.warn(`conversion_metric: ${same.length} metrics are named "${choice.name}" (${describe(names, same).join('; ')}); the reports count the oldest, ${choice.id}: set conversion_metric to a metric id to choose another`);
  }
}

/** `id (integration, created)` of each metric. */
function describe(names: AccountNames, ids: readonly string[]): string[] {
  return ids.map((id) => {
    const m = names.metrics.find((x) => x.id === id);
    return `${id} (${m?.integration || 'no integration'}, created ${m?.created.slice(0, 10) ?? '?'})`;
  });
}
