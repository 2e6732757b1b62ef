// Scenario 9, bad input: the BUILT tap, as a child process, over a table of bad configs, catalogs and states.
// Every one must end with a non-zero exit, nothing at all on stdout (a target must not see half a run), and exactly
// one stderr line that names the field and says how to fix it, without the API key.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTapProcess, type TapResult } from '../../scripts/lib/processes.js';
import { CHILD_ENV, TapFiles } from '../helpers/tap-files.js';
import { report } from './report.js';

/** Shaped like a Klaviyo private key (pk_ + 34 characters). */
const KEY = 'pk_test_bad_input_0123456789abcdef';
/** A valid config; base_url is a closed loopback port with no retries, so an input wrongly accepted fails fast. */
const GOOD = { api_key: KEY, start_date: '2024-01-01T00:00:00Z', base_url: 'http://127.0.0.1:9', max_retries: 0, request_timeout_s: 2 };
const INPUTS_AT_ONCE = 4;

/** File contents written verbatim (not as JSON). */
class Raw {
  constructor(readonly text: string) {}
}
const raw = (text: string): Raw => new Raw(text);
/** Give a directory where a file is expected. */
const DIRECTORY = Symbol('a directory');

interface BadInput {
  name: string;
  /** Contents of the --config file (default GOOD); a string path is passed as is with `configPath`. */
  config?: unknown;
  configPath?: string;
  catalog?: unknown;
  state?: unknown;
  env?: NodeJS.ProcessEnv;
  /** The line must name the field (or file) that is wrong... */
  field: RegExp;
  /** ...and say how to fix it. */
  fix: RegExp;
}

const GITHUB_STATE = { currently_syncing: null, bookmarks: { 'singer-io/tap-github': { commits: { since: '2024-05-01T00:00:00Z' }, issues: { since: '2024-05-01T00:00:00Z' } } } };
const EVENTS_BOOKMARK = { replication_key: 'datetime', replication_key_value: '2024-01-01T00:00:00Z' };
const memberPartition = (context: unknown) => ({ bookmarks: { list_members: { partitions: [{ context, replication_key: 'joined_group_at', replication_key_value: '2024-01-01T00:00:00Z' }] } } });
const catalogEntry = (metadata: unknown) => ({ streams: [{ tap_stream_id: 'events', stream: 'events', schema: {}, key_properties: ['id'], metadata }] });
const NOT_JSON = /not valid JSON \(.*\); fix the file/;

const BAD_INPUTS: BadInput[] = [
  // config: the file itself
  { name: 'config: an empty file', config: raw(''), field: /--config \S+config\.json/, fix: NOT_JSON },
  { name: 'config: only whitespace', config: raw(' \n\t\n'), field: /--config \S+config\.json/, fix: NOT_JSON },
  { name: 'config: JSON null', config: null, field: /--config \S+config\.json/, fix: /expected a JSON object of settings/ },
  { name: 'config: a JSON number', config: raw('42'), field: /--config \S+config\.json/, fix: /expected a JSON object of settings/ },
  { name: 'config: a JSON array', config: [GOOD], field: /--config \S+config\.json/, fix: /expected a JSON object of settings/ },
  { name: 'config: a directory', config: DIRECTORY, field: /--config \S+/, fix: /cannot read the file \(EISDIR\); check the path/ },
  { name: 'config: a path that does not exist', configPath: '/nonexistent/tap-klaviyo/config.json', field: /--config \/nonexistent\/tap-klaviyo\/config\.json/, fix: /cannot read the file \(ENOENT\); check the path/ },
  { name: 'config: malformed JSON (trailing comma)', config: raw(`{"api_key": "${KEY}", "start_date": "2024-01-01",}`), field: /--config \S+config\.json/, fix: NOT_JSON },
  { name: 'config: malformed JSON (single quotes)', config: raw(`{'api_key': '${KEY}'}`), field: /--config \S+config\.json/, fix: NOT_JSON },
  { name: 'config: malformed JSON just after the key (the parser quotes the text around the error)', config: raw(`{"api_key": "${KEY}", "start_date": undefined}`), field: /--config \S+config\.json/, fix: NOT_JSON },
  // config: wrong types
  { name: 'config: api_key a number', config: { ...GOOD, api_key: 12345678 }, field: /"api_key"/, fix: /must be string/ },
  { name: 'config: start_date a number', config: { ...GOOD, start_date: 20240101 }, field: /"start_date"/, fix: /must be string/ },
  { name: 'config: max_retries a string', config: { ...GOOD, max_retries: '3' }, field: /"max_retries"/, fix: /must be integer/ },
  { name: 'config: max_requests_in_flight a fraction', config: { ...GOOD, max_requests_in_flight: 2.5 }, field: /"max_requests_in_flight"/, fix: /must be integer/ },
  { name: 'config: lookback_days a string', config: { ...GOOD, lookback_days: '1' }, field: /"lookback_days"/, fix: /must be number/ },
  { name: 'config: request_timeout_s 0', config: { ...GOOD, request_timeout_s: 0 }, field: /"request_timeout_s"/, fix: /must be > 0/ },
  { name: 'config: streams a list', config: { ...GOOD, streams: ['events'] }, field: /"streams"/, fix: /must be object/ },
  { name: 'config: metric_streams a string', config: { ...GOOD, metric_streams: 'Placed Order' }, field: /"metric_streams"/, fix: /must be object/ },
  { name: 'config: streams.events.page_size a string', config: { ...GOOD, streams: { events: { page_size: '50' } } }, field: /"streams\.events\.page_size"/, fix: /must be integer/ },
  // Found here: ajv's enum message ("must be equal to one of the allowed values") named no value; fixed in json.ts.
  { name: 'config: log_level not one of its values', config: { ...GOOD, log_level: 'verbose' }, field: /"log_level"/, fix: /must be one of: debug, info, warn, error/ },
  // config: unknown keys
  { name: 'config: an unknown key close to a setting', config: { ...GOOD, start_dat: '2024-01-01' }, field: /unknown key "start_dat"/, fix: /did you mean "start_date"\?/ },
  { name: 'config: an unknown key like no setting', config: { ...GOOD, colour: 'red' }, field: /unknown key "colour"/, fix: /remove it \(allowed: api_key, / },
  { name: 'config: an unknown key in a stream override', config: { ...GOOD, streams: { events: { pagesize: 50 } } }, field: /unknown key "streams\.events\.pagesize"/, fix: /did you mean "page_size"\?/ },
  { name: 'config: an override for an unknown stream', config: { ...GOOD, streams: { evnts: { page_size: 50 } } }, field: /streams\.evnts/, fix: /did you mean "events"\?/ },
  // config: dates
  { name: 'config: end_date before start_date', config: { ...GOOD, end_date: '2023-06-01T00:00:00Z' }, field: /"end_date" \(2023-06-01T00:00:00Z\)/, fix: /must be after "start_date"/ },
  { name: 'config: end_date equal to start_date', config: { ...GOOD, end_date: GOOD.start_date }, field: /"end_date"/, fix: /must be after "start_date"/ },
  { name: 'config: a start_date that does not parse', config: { ...GOOD, start_date: 'yesterday' }, field: /"start_date" is not a date: "yesterday"/, fix: /use ISO 8601/ },
  { name: 'config: a start_date in month 13', config: { ...GOOD, start_date: '2024-13-01' }, field: /"start_date" is not a date/, fix: /use ISO 8601/ },
  { name: 'config: an end_date on Feb 29 of a common year', config: { ...GOOD, end_date: '2025-02-29' }, field: /"end_date" is not a date/, fix: /use ISO 8601/ },
  { name: 'config: a stream override start_date that does not parse', config: { ...GOOD, streams: { profiles: { start_date: 'soon' } } }, field: /streams\.profiles: "start_date" is not a date/, fix: /use ISO 8601/ },
  { name: 'config: a stream override end_date before the start_date', config: { ...GOOD, streams: { events: { end_date: '2020-01-01' } } }, field: /streams\.events: "end_date"/, fix: /must be after "start_date"/ },
  { name: 'config: the API key pasted into start_date', config: { ...GOOD, start_date: KEY }, field: /"start_date" is not a date/, fix: /use ISO 8601/ },
  { name: 'config: no api_key, none in the environment', config: { start_date: GOOD.start_date }, field: /"api_key" is required/, fix: /set it in the config file or in TAP_KLAVIYO_API_KEY/ },
  { name: 'config: a key from the environment pasted into end_date', config: { start_date: GOOD.start_date, end_date: KEY }, env: { TAP_KLAVIYO_API_KEY: KEY }, field: /"end_date" is not a date/, fix: /use ISO 8601/ },
  // config: base_url
  { name: 'config: http base_url to a Klaviyo host', config: { ...GOOD, base_url: 'http://a.klaviyo.com' }, field: /"base_url"/, fix: /must use https \(plain http only for loopback hosts\)/ },
  { name: 'config: http base_url to a private address', config: { ...GOOD, base_url: 'http://10.0.0.1:8080' }, field: /"base_url"/, fix: /must use https/ },
  { name: 'config: http base_url to a host named like loopback', config: { ...GOOD, base_url: 'http://127.0.0.1.nip.io' }, field: /"base_url"/, fix: /must use https/ },
  { name: 'config: base_url without a scheme', config: { ...GOOD, base_url: 'a.klaviyo.com' }, field: /"base_url" is not a URL/, fix: /use e\.g\. https:\/\/a\.klaviyo\.com/ },
  // catalog
  { name: 'catalog: an empty file', catalog: raw(''), field: /--catalog \S+catalog\.json/, fix: NOT_JSON },
  { name: 'catalog: JSON null', catalog: null, field: /--catalog \S+: "\(top level\)"/, fix: /must be object/ },
  { name: 'catalog: a directory', catalog: DIRECTORY, field: /--catalog \S+/, fix: /cannot read the file \(EISDIR\); check the path/ },
  { name: 'catalog: malformed JSON', catalog: raw('{"streams": [{"tap_stream_id": "events",]}'), field: /--catalog \S+catalog\.json/, fix: NOT_JSON },
  { name: 'catalog: an unknown stream', catalog: { streams: [{ tap_stream_id: 'evnts', metadata: [] }] }, field: /stream "evnts" is not a tap-klaviyo stream/, fix: /did you mean "events"\?/ },
  { name: 'catalog: a metadata breadcrumb that is not an array', catalog: catalogEntry([{ breadcrumb: 'properties/id', metadata: { selected: true } }]), field: /"streams\.0\.metadata\.0\.breadcrumb"/, fix: /must be array/ },
  { name: 'catalog: metadata that is not an array', catalog: catalogEntry({ selected: true }), field: /"streams\.0\.metadata"/, fix: /must be array/ },
  { name: 'catalog: a stream without tap_stream_id', catalog: { streams: [{ stream: 'events', metadata: [] }] }, field: /"streams\.0\.tap_stream_id"/, fix: /is required/ },
  // Found here: `"selected": "true"` (a string) was ignored, so the stream silently fell back to selected-by-default
  // (exit 0); schemas/catalog.json now types `selected`, `selected-by-default` and `inclusion`.
  { name: 'catalog: selected given as a string', catalog: catalogEntry([{ breadcrumb: [], metadata: { selected: 'true' } }]), field: /"streams\.0\.metadata\.0\.metadata\.selected"/, fix: /must be boolean/ },
  { name: 'catalog: an inclusion that does not exist', catalog: catalogEntry([{ breadcrumb: [], metadata: { inclusion: 'always' } }]), field: /"streams\.0\.metadata\.0\.metadata\.inclusion"/, fix: /must be one of: automatic, available, unsupported/ },
  // state
  { name: 'state: an empty file', state: raw(''), field: /--state \S+state\.json/, fix: NOT_JSON },
  { name: 'state: JSON null', state: null, field: /--state \S+state\.json/, fix: /expected a JSON object like \{"bookmarks": \{\.\.\.\}\}/ },
  { name: 'state: a directory', state: DIRECTORY, field: /--state \S+/, fix: /cannot read the file \(EISDIR\); check the path/ },
  { name: 'state: malformed JSON', state: raw('{"bookmarks": {"events": }}'), field: /--state \S+state\.json/, fix: NOT_JSON },
  { name: 'state: bookmarks a list', state: { bookmarks: [] }, field: /"bookmarks"/, fix: /must be an object of stream id -> bookmark/ },
  { name: 'state: a bookmark that is not a date', state: { bookmarks: { events: { ...EVENTS_BOOKMARK, replication_key_value: 'yesterday' } } }, field: /bookmarks\.events\.replication_key_value/, fix: /fix or delete that bookmark/ },
  { name: 'state: a bookmark in month 13', state: { bookmarks: { profiles: { replication_key: 'updated', replication_key_value: '2024-13-01T00:00:00Z' } } }, field: /bookmarks\.profiles\.replication_key_value/, fix: /fix or delete that bookmark/ },
  { name: 'state: a bookmark value that is a number', state: { bookmarks: { events: { ...EVENTS_BOOKMARK, replication_key_value: 1704067200 } } }, field: /bookmarks\.events/, fix: /needs string "replication_key" and "replication_key_value"/ },
  { name: 'state: a bookmark on another replication key', state: { bookmarks: { events: { ...EVENTS_BOOKMARK, replication_key: 'timestamp' } } }, field: /bookmarks\.events\.replication_key/, fix: /delete that bookmark to re-sync it/ },
  { name: 'state: boundary_ids not a list', state: { bookmarks: { events: { ...EVENTS_BOOKMARK, boundary_ids: 'abc' } } }, field: /bookmarks\.events\.boundary_ids/, fix: /must be an array of id strings/ },
  { name: 'state: of tap-github (bookmarks per repository)', state: GITHUB_STATE, field: /no bookmark names a tap-klaviyo stream \(singer-io\/tap-github\)/, fix: /Use a tap-klaviyo state or none/ },
  { name: 'state: of tap-github, wrapped by Meltano', state: { singer_state: GITHUB_STATE }, field: /singer-io\/tap-github/, fix: /Use a tap-klaviyo state or none/ },
  { name: 'state: a partition context with a number', state: memberPartition({ list_id: 42 }), field: /bookmarks\.list_members\.partitions\[0\]/, fix: /needs a "context" object of strings/ },
  { name: 'state: a partition context with null', state: memberPartition({ list_id: null }), field: /bookmarks\.list_members\.partitions\[0\]/, fix: /needs a "context" object of strings/ },
  { name: 'state: a partition context that is a string', state: memberPartition('Y6nRLr'), field: /bookmarks\.list_members\.partitions\[0\]/, fix: /needs a "context" object of strings/ },
];

interface Outcome extends TapResult {
  stdout: string;
}

function argsFor(input: BadInput, files: TapFiles): string[] {
  const file = (name: string, value: unknown): string => {
    if (value === DIRECTORY) return files.dir;
    return files.write(name, value instanceof Raw ? value.text : JSON.stringify(value));
  };
  const args = ['--config', input.configPath ?? file('config.json', 'config' in input ? input.config : GOOD)];
  if ('catalog' in input) args.push('--catalog', file('catalog.json', input.catalog));
  if ('state' in input) args.push('--state', file('state.json', input.state));
  return args;
}

async function runInput(input: BadInput): Promise<Outcome> {
  const files = new TapFiles('tap-klaviyo-bad-input-');
  const out = join(files.dir, 'stdout.txt');
  const result = await runTapProcess(argsFor(input, files), out, { ...CHILD_ENV, ...input.env });
  return { ...result, stdout: readFileSync(out, 'utf8') };
}

function assertRejected(run: Outcome, input: BadInput): void {
  assert.ok(run.code !== 0 && run.code !== null, `a non-zero exit (got ${run.code ?? run.signal}; stderr: ${run.stderr})`);
  assert.equal(run.stdout, '', 'nothing on stdout');
  assert.ok(!run.stderr.includes(KEY), 'the API key is not in stderr');
  assert.ok(run.stderr.endsWith('\n'), `stderr ends its line: ${JSON.stringify(run.stderr)}`);
  const lines = run.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `exactly one stderr line, got: ${run.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^tap-klaviyo: \S/);
  assert.match(line, input.field, 'names the field');
  assert.match(line, input.fix, 'says how to fix it');
}

describe('reliability 9: bad configs, catalogs and states, against the built tap', function () {
  this.timeout(120_000);
  const outcomes = new Map<BadInput, Outcome>();

  before(async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let input = BAD_INPUTS[next++]; input; input = BAD_INPUTS[next++]) outcomes.set(input, await runInput(input));
    };
    await Promise.all(Array.from({ length: INPUTS_AT_ONCE }, worker));
  });

  after(() => {
    const clean = BAD_INPUTS.filter((input) => {
      const run = outcomes.get(input);
      try {
        if (run) assertRejected(run, input);
        return run !== undefined;
      } catch {
        return false;
      }
    });
    report({ scenario: '9 bad input', runs: outcomes.size, expected: 0, lost: 0, duplicates: 0, note: `${clean.length} of ${BAD_INPUTS.length} inputs rejected with one clear line` });
  });

  it('the table has at least 30 inputs, of config, catalog and state', () => {
    assert.ok(BAD_INPUTS.length >= 30, `${BAD_INPUTS.length} inputs`);
    for (const kind of ['config:', 'catalog:', 'state:']) assert.ok(BAD_INPUTS.filter((i) => i.name.startsWith(kind)).length >= 8, kind);
  });

  for (const input of BAD_INPUTS) {
    it(`${input.name}: exit != 0, empty stdout, one line naming the field and the fix, no key`, () => {
      const run = outcomes.get(input);
      assert.ok(run, 'the input was run');
      assertRejected(run, input);
    });
  }
});
