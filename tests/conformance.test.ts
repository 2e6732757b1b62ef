// Every stream of the registry against the spec's facts and its own schema: what the engine will send is
// allowed by the endpoint, and what the catalog promises is in the schema.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ENDPOINTS } from '../src/generated/endpoints.js';
import { builtInStreams } from '../src/streams/registry.js';
import { ReportStream } from '../src/tap/reports/report-stream.js';
import { MetricAggregates } from '../src/streams/metric_aggregates.js';
import { MICROS_PER_DAY } from '../src/tap/shared/time.js';
import { streamSchema } from '../src/tap/singer/catalog.js';
import { CONVERSION_STATISTICS } from '../src/tap/reports/report-facts.js';
import { disallowedFilters } from '../src/tap/engine/filters.js';
import { planReplication, windowFilters } from '../src/tap/engine/replication.js';
import type { Partition, StreamRuntime } from '../src/tap/engine/stream-types.js';

const all = builtInStreams();
/** The GET collection streams; the Reporting API's POST streams are checked below. */
const streams = all.filter((s) => !(s instanceof ReportStream) && !(s instanceof MetricAggregates));
const reports = all.filter((s): s is ReportStream => s instanceof ReportStream);
const everything: StreamRuntime = {
  client: null as never,
  config: null as never,
  selected: new Set(['metric_name', 'subscriptions', 'predictive_analytics', 'tag_ids']),
  memo: () => Promise.reject(new Error('no network in conformance tests')),
};

/** A partition as the engine would produce it, without the network. */
function samplePartition(context: Record<string, string>): Partition {
  return { context, pathParams: { id: 'X1' } };
}

async function staticPartitions(stream: (typeof streams)[number]): Promise<Partition[]> {
  if (stream.parent) return [samplePartition({ [stream.parent.key]: 'X1' })];
  if ('metricName' in stream) return [samplePartition({ metric_id: 'M1' })];
  const out: Partition[] = [];
  for await (const p of stream.partitions(everything)) out.push(p);
  return out;
}

describe('stream conformance', () => {
  it('stream ids are unique lower snake case, each with a class file and a schema', () => {
    const names = all.map((s) => s.name);
    assert.equal(new Set(names).size, names.length);
    for (const s of all) {
      assert.match(s.name, /^[a-z][a-z0-9_]*$/);
      assert.ok(existsSync(`schemas/${s.schemaName ?? s.name}.json`), `schemas/${s.schemaName ?? s.name}.json`);
      const file = 'metricName' in s ? 'metric_events' : s.name;
      assert.ok(existsSync(`src/streams/${file}.ts`), `src/streams/${file}.ts`);
    }
  });

  for (const stream of streams) {
    describe(stream.name, () => {
      const facts = ENDPOINTS[stream.path];
      const props = (streamSchema(stream)['properties'] ?? {}) as Record<string, Record<string, unknown>>;

      it('reads a GET collection endpoint of the spec, and its parent exists', () => {
        assert.ok(facts, `${stream.path} in the spec`);
        assert.ok(stream.scopes.length > 0);
        if (stream.parent) {
          assert.ok(ENDPOINTS[stream.parent.path], `parent ${stream.parent.path}`);
          assert.ok(streams.some((s) => s.name === stream.parent?.stream), `parent stream ${stream.parent.stream}`);
          assert.ok(ENDPOINTS[stream.parent.path]?.fields[stream.parent.resourceType]?.includes(stream.parent.cheapField));
        }
      });

      it('keys, replication key and extra fields are in the schema', () => {
        for (const key of [...stream.primaryKey, ...Object.keys(stream.extraProperties)]) assert.ok(props[key], `${key} in schema`);
        assert.deepEqual(streamSchema(stream)['required'], [...stream.primaryKey]);
        if (stream.replicationKey) assert.equal(props[stream.replicationKey]?.['format'], 'date-time');
      });

      it('sends only filters, sorts and extras the endpoint allows', async () => {
        const plan = planReplication(stream.replicationKey, stream.replicationApiField, stream.facts, stream.sortsByKey);
        if (stream.replicationKey) {
          // An endpoint with no filter at all (campaign messages) is bounded by the tap, and read only for parents changed since the last run.
          const tapBounded = Object.keys(stream.facts.filters).length === 0 && stream.parent?.changedField !== undefined;
          assert.ok(plan?.lower || tapBounded, `${stream.name} can filter its replication key from below`);
          assert.ok(plan?.sorted || !stream.facts.sort.length || !stream.sortsByKey, 'sorted when the API can sort by the key');
        }
        for (let parent = stream.parent; parent; parent = parent.parent ?? null) {
          if (!parent.changedField) continue;
          assert.ok(ENDPOINTS[parent.path]?.filters[parent.changedField]?.includes('greater-or-equal'), `${parent.path} filters ${parent.changedField} with greater-or-equal`);
        }
        for (const partition of await staticPartitions(stream)) {
          const base = (await stream.filters(partition, everything)) ?? [];
          const window = plan ? windowFilters(plan, { from: 0, to: 1e15 }) : [];
          assert.deepEqual(disallowedFilters([...base, ...window], stream.facts), []);
          assert.match(stream.resolvePath(partition), /^\/api\/[a-z-]+(\/X1\/[a-z-]+)?$/);
        }
        if (stream.facts.filterRequired) assert.ok((await staticPartitions(stream)).length > 0);
        const params = stream.params(everything);
        for (const [name, value] of Object.entries(params)) {
          const m = /^(fields|additional-fields)\[(.+)\]$/.exec(name);
          if (m) {
            const allowed = m[1] === 'fields' ? stream.facts.fields[m[2] ?? ''] : stream.facts.additionalFields[m[2] ?? ''];
            for (const v of value.split(',')) assert.ok(allowed?.includes(v), `${name}=${v} allowed`);
          } else if (name === 'include') {
            for (const v of value.split(',')) assert.ok(stream.facts.include.includes(v), `include=${v}`);
          } else assert.fail(`unexpected parameter ${name}`);
        }
      });

      it('costly fields exist and are requested (additional-fields or include) only when selected', () => {
        for (const field of stream.costlyFields) {
          assert.ok(props[field], field);
          assert.ok(stream.additionalFields[field] ?? stream.relatedIdFields[field], `${field} has an additional-fields type or a relationship`);
        }
        for (const rel of Object.values(stream.relatedIdFields)) assert.ok(stream.facts.include.includes(rel), `include=${rel} allowed`);
        const none: StreamRuntime = { ...everything, selected: new Set() };
        if (stream.costlyFields.length > 0) assert.deepEqual(Object.keys(stream.params(none)).filter((k) => k.startsWith('additional-fields') || k === 'include'), []);
      });
    });
  }
});

describe('report stream conformance', () => {
  for (const stream of reports) {
    describe(stream.name, () => {
      const props = (streamSchema(stream)['properties'] ?? {}) as Record<string, Record<string, unknown>>;

      it('posts to a Reporting API endpoint of the spec, with its daily quota', () => {
        assert.equal(ENDPOINTS[stream.path], undefined, 'not a GET collection');
        assert.ok(stream.report.rateLimit.perDay > 0, 'a daily quota');
        assert.ok(stream.scopes.length > 0);
        const probe = stream.probe({ start: 0, end: MICROS_PER_DAY });
        if (probe) {
          const facts = ENDPOINTS[probe.path];
          assert.ok(facts, `probe ${probe.path} in the spec`);
          assert.deepEqual(disallowedFilters(probe.filters, facts), [], 'probe filters allowed');
        }
      });

      it('asks for every statistic the report allows, grouped by its default grouping, and each is a number column', () => {
        const window = { start: 0, end: stream.maxDays * MICROS_PER_DAY };
        const body = stream.body(window, { id: 'M1', name: 'Placed Order', counted: true }) as { data: { type: string; attributes: Record<string, unknown> } };
        assert.equal(body.data.type, stream.report.type);
        assert.deepEqual(body.data.attributes['statistics'], stream.report.statistics);
        assert.ok(stream.report.statistics.length > 0);
        for (const statistic of stream.report.statistics) assert.deepEqual(props[statistic]?.['type'], ['number', 'null'], statistic);
        for (const field of stream.report.defaultGroupBy) assert.ok(stream.report.groupBy.length === 0 || stream.report.groupBy.includes(field), field);
        if (stream.report.conversionMetric) assert.equal(body.data.attributes['conversion_metric_id'], 'M1');
        if (stream.report.intervals) assert.ok(stream.report.intervals.includes(String(body.data.attributes['interval'])));
        // Without the conversion metric: the same body, the required id a stand-in, no conversion statistic.
        const without = stream.body(window, { id: 'R1', name: 'Received Email', counted: false }) as { data: { attributes: Record<string, unknown> } };
        const kept = stream.report.statistics.filter((s) => !CONVERSION_STATISTICS.includes(s));
        assert.deepEqual(without.data.attributes['statistics'], kept);
        assert.ok(kept.length > 0);
        assert.equal(kept.length < stream.report.statistics.length, stream.report.conversionMetric, 'conversion statistics where a conversion metric is required, and only there');
      });

      it('keys are in the schema; a series replicates on its interval start', () => {
        for (const key of stream.primaryKey) assert.ok(props[key], `${key} in schema`);
        assert.deepEqual(streamSchema(stream)['required'], [...stream.primaryKey]);
        if (stream.replicationKey) assert.equal(props[stream.replicationKey]?.['format'], 'date-time');
        assert.equal(stream.replicationKey !== null, stream.report.intervals !== null);
      });
    });
  }
});

describe('metric_aggregates conformance', () => {
  const stream = new MetricAggregates();
  const props = (streamSchema(stream)['properties'] ?? {}) as Record<string, Record<string, unknown>>;

  it('asks per metric for every measurement by day over a datetime range, each a number column', () => {
    const body = stream.body('M1', { start: 0, end: MICROS_PER_DAY }) as { data: { type: string; attributes: Record<string, unknown> } };
    assert.equal(body.data.type, 'metric-aggregate');
    assert.equal(body.data.attributes['metric_id'], 'M1');
    assert.equal(body.data.attributes['interval'], 'day');
    assert.deepEqual(body.data.attributes['filter'], ['greater-or-equal(datetime,1970-01-01T00:00:00Z)', 'less-than(datetime,1970-01-02T00:00:00Z)']);
    assert.ok(Array.isArray(body.data.attributes['measurements']) && body.data.attributes['measurements'].length === 3);
    for (const m of body.data.attributes['measurements'] as string[]) assert.deepEqual(props[m]?.['type'], ['number', 'null'], m);
    for (const key of stream.primaryKey) assert.ok(props[key], key);
    assert.equal(props['date']?.['format'], 'date-time');
    assert.deepEqual(stream.scopes, ['metrics:read']);
  });
});
