// Generates the event columns in datetime order, day by day, so even a million events need no global
// sort: per-day counts follow a growth curve with weekly seasonality, and campaign sends put whole
// clusters of "Received Email" events on one second (deliberate ties across page boundaries).
import type { Rng } from '../rng.js';
import { SECONDS_PER_DAY } from '../datetime.js';
import { HISTORY_DAYS, rngFor, type BuildContext } from './context.js';

export interface EventColumns {
  count: number;
  sec: Uint32Array;
  metric: Uint8Array;
  profile: Uint32Array;
  /** 0 = none, else 1 + index of the email source. */
  source: Uint16Array;
}

export interface Cluster {
  sec: number;
  size: number;
  /** 1 + index of the email source. */
  source: number;
}

export interface EventMix {
  metricWeights: readonly number[];
  /** Per metric: whether it is an email metric (gets a source). */
  emailMetric: readonly boolean[];
  receivedMetric: number;
  /** Send seconds of the campaign sources (sources 0..n-1), ascending; flow sources follow them. */
  campaignSendSecs: readonly number[];
  sourceCount: number;
  profileCount: number;
}

function dayCounts(rng: Rng, total: number): number[] {
  const weights = Array.from({ length: HISTORY_DAYS }, (_, day) => {
    const weekday = day % 7;
    const seasonal = weekday === 5 || weekday === 6 ? 0.75 : 1.1;
    return (0.5 + day / HISTORY_DAYS) * seasonal * (0.8 + 0.4 * rng.next());
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((total * w) / sum));
  let missing = total - counts.reduce((a, b) => a + b, 0);
  for (let day = HISTORY_DAYS - 1; missing > 0; day = (day + HISTORY_DAYS - 1) % HISTORY_DAYS, missing--) counts[day] = (counts[day] ?? 0) + 1;
  return counts;
}

class ColumnWriter {
  position = 0;
  constructor(
    readonly columns: EventColumns,
    private readonly rng: Rng,
    private readonly mix: EventMix,
  ) {}

  private profile(): number {
    return Math.floor(this.mix.profileCount * Math.pow(this.rng.next(), 1.6));
  }

  normal(sec: number): void {
    const metric = this.rng.weighted(this.mix.metricWeights);
    this.write(sec, metric, this.mix.emailMetric[metric] ? this.source(sec) : 0);
  }

  /** 1 + a source: a recently sent campaign (sent before `sec`) or a flow message. */
  private source(sec: number): number {
    const sends = this.mix.campaignSendSecs;
    const flows = this.mix.sourceCount - sends.length;
    let sent = 0;
    for (let high = sends.length; sent < high; ) {
      const mid = (sent + high) >>> 1;
      if ((sends[mid] ?? 0) <= sec) sent = mid + 1;
      else high = mid;
    }
    if (sent > 0 && (flows === 0 || this.rng.chance(0.6))) return sent - this.rng.int(Math.min(sent, 6));
    return flows > 0 ? 1 + sends.length + this.rng.int(flows) : 0;
  }

  cluster(cluster: Cluster): void {
    for (let n = 0; n < cluster.size; n++) this.write(cluster.sec, this.mix.receivedMetric, cluster.source);
  }

  private write(sec: number, metric: number, source: number): void {
    const c = this.columns;
    c.sec[this.position] = sec;
    c.metric[this.position] = metric;
    c.profile[this.position] = this.profile();
    c.source[this.position] = source;
    this.position++;
  }
}

export function generateEvents(ctx: BuildContext, mix: EventMix, clusters: readonly Cluster[]): EventColumns {
  const rng = rngFor(ctx, 'events');
  const clusterTotal = clusters.reduce((sum, c) => sum + c.size, 0);
  const count = Math.max(ctx.counts.events, clusterTotal);
  const columns: EventColumns = { count, sec: new Uint32Array(count), metric: new Uint8Array(count), profile: new Uint32Array(count), source: new Uint16Array(count) };
  const writer = new ColumnWriter(columns, rng, mix);
  const sortedClusters = [...clusters].sort((a, b) => a.sec - b.sec);
  let nextCluster = 0;
  dayCounts(rng, count - clusterTotal).forEach((n, day) => {
    const dayStart = ctx.startSec + day * SECONDS_PER_DAY;
    const secs = new Uint32Array(n);
    for (let k = 0; k < n; k++) secs[k] = dayStart + rng.int(SECONDS_PER_DAY);
    secs.sort();
    for (const sec of secs) {
      for (let c = sortedClusters[nextCluster]; c && c.sec <= sec; c = sortedClusters[++nextCluster]) writer.cluster(c);
      writer.normal(sec);
    }
  });
  for (let c = sortedClusters[nextCluster]; c; c = sortedClusters[++nextCluster]) writer.cluster(c);
  return columns;
}
