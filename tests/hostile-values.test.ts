// Values Klaviyo sends that do not fit the schema (wrong types, unexpected nulls, numbers as strings, unknown
// enum values, datetimes in other formats or none at all), in every stream: the run goes on, every record
// validates against the schema sent, and no value is lost: each one arrives in its column (as sent, or converted
// without loss) or in `_overflow` with its column null. With schema_mismatch "fail" the run stops with one line.
import assert from 'node:assert/strict';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { OVERFLOW_FIELD } from '../src/tap/singer/fit-value.js';
import { E2eWorkspace, STREAMS, keyOf, truth, type E2eRun, type Row } from './helpers/e2e.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const HOSTILE_RATE = 0.08;
/** Streams with too few values to expect a hit at this rate (mapped_metrics: at most 7 rows, one attribute each). */
const TOO_FEW_VALUES: ReadonlySet<string> = new Set(['mapped_metrics']);

/** Fields the tap derives from another field Klaviyo sends: garbling that one garbles them too. */
const DERIVED: Readonly<Record<string, string>> = { attributed_message_id: 'event_properties', attributed_flow_id: 'event_properties' };

function at(record: Row, path: string): unknown {
  return path.split('.').reduce<unknown>((node, step) => (typeof node === 'object' && node !== null ? (node as Row)[step] : undefined), record);
}

/** Whether `got` is `sent` converted without loss (same number, same boolean, same instant, same text). */
function sameValue(got: unknown, sent: unknown): boolean {
  if (JSON.stringify(got) === JSON.stringify(sent)) return true;
  if (typeof sent === 'string' && typeof got === 'string') {
    const a = Date.parse(sent);
    return Number.isFinite(a) && a === Date.parse(got);
  }
  const scalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);
  return scalar(got) && scalar(sent) && String(got) === String(sent);
}

function schemasOf(run: E2eRun): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  const out = new Map<string, ValidateFunction>();
  for (const line of run.lines) {
    const m = JSON.parse(line) as { type: string; stream: string; schema?: object };
    if (m.type === 'SCHEMA' && m.schema) out.set(m.stream, ajv.compile(m.schema));
  }
  return out;
}

describe('values that do not fit their schema, in every stream', function () {
  this.timeout(240_000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 23, scale: 'small', rateLimits: false, hostileRate: HOSTILE_RATE });
  });
  after(async () => sim.close());

  it('schema_mismatch "warn" (default): the run succeeds, records validate, every value is in its column or in _overflow', async () => {
    const ws = new E2eWorkspace(sim, { api_key: 'pk_sim_demo' });
    const run = await ws.run();
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const validators = schemasOf(run);
    const log = sim.hostileLog();
    const seen = { converted: 0, overflow: 0, asSent: 0, nulls: 0 };
    const streamsHit = new Set<string>();
    for (const stream of STREAMS) {
      const key = keyOf(stream.name);
      const expected = new Map(truth(sim, stream.name).map((r) => [key(r), r]));
      const rows = run.records.get(stream.name) ?? [];
      assert.equal(rows.length, expected.size, `${stream.name}: every record arrives`);
      const validate = validators.get(stream.name);
      assert.ok(validate, stream.name);
      for (const row of rows) {
        assert.ok(validate(row), `${stream.name} ${key(row)}: ${JSON.stringify(validate.errors?.[0])}`);
        const clean = expected.get(key(row));
        assert.ok(clean, `${stream.name}: unexpected record ${key(row)}`);
        // Served under its parent's path (a list's members) or, for streams read account-wide, at the top level.
        const parentId = stream.parent ? String(row[stream.parent.key]) : '';
        const replaced = log.get(`${parentId}|${String(row['id'])}`) ?? log.get(`|${String(row['id'])}`) ?? new Map();
        const overflow = (row[OVERFLOW_FIELD] ?? {}) as Row;
        for (const [path, { value: sent }] of replaced) {
          if (!(path.split('.')[0] as string in clean)) continue; // an attribute this stream does not carry
          streamsHit.add(stream.name);
          const got = at(row, path);
          if (sent === null) {
            assert.equal(got, null, `${stream.name} ${key(row)} ${path}: null sent`);
            seen.nulls++;
          } else if (path in overflow) {
            assert.deepEqual(overflow[path], sent, `${stream.name} ${key(row)} ${path}: kept as sent`);
            assert.equal(got, null, `${stream.name} ${key(row)} ${path}: column null when overflowed`);
            seen.overflow++;
          } else {
            assert.ok(sameValue(got, sent), `${stream.name} ${key(row)} ${path}: sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}`);
            if (JSON.stringify(got) === JSON.stringify(sent)) seen.asSent++;
            else seen.converted++;
          }
        }
        // Everything Klaviyo did not garble arrives exactly as the ground truth has it.
        for (const [field, value] of Object.entries(clean)) {
          const sources = [field, ...(DERIVED[field] ? [DERIVED[field]] : [])];
          if ([...replaced.keys()].some((p) => sources.some((f) => p === f || p.startsWith(`${f}.`)))) continue;
          assert.deepEqual(row[field], value, `${stream.name} ${key(row)} ${field}`);
        }
      }
    }
    for (const count of Object.values(seen)) assert.ok(count > 0, JSON.stringify(seen));
    assert.deepEqual(
      STREAMS.map((s) => s.name).filter((name) => !streamsHit.has(name) && !TOO_FEW_VALUES.has(name)),
      [],
      'every stream got hostile values',
    );
    // One warning per stream, field and outcome.
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('WARN') && l.includes(': field '));
    assert.ok(warnings.length > 0);
    assert.equal(new Set(warnings).size, warnings.length, 'a warning repeated');
  });

  it('schema_mismatch "fail": one line naming the stream, record and field, and a non-zero exit', async () => {
    const ws = new E2eWorkspace(sim, { api_key: 'pk_sim_demo', schema_mismatch: 'fail' });
    const run = await ws.run();
    assert.notEqual(run.code, 0);
    const last = run.stderr.trim().split('\n').pop() ?? '';
    assert.match(last, /^tap-klaviyo: stream \w+: record "[^"]+": field [\w.]+ is \w+, not [\w ]+; set schema_mismatch to "warn"/);
  });
});
