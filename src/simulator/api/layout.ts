// The `layout` knob: the same world in other layouts a JSON:API server may send, and Klaviyo's may (each variation
// and what it is based on: src/simulator/README.md). A rendered document is parsed, varied and written again. Every
// choice is drawn from the simulator's seed and the request, so one request always gets the same response.
import { Rng } from '../rng.js';
import { jsonString } from './document.js';

export const LAYOUT_VARIATIONS = ['shuffle', 'pretty', 'escapes', 'datetimes', 'extras', 'null-data', 'links'] as const;
export type LayoutVariation = (typeof LAYOUT_VARIATIONS)[number];
/** Every variation at once. */
export const VARIED = 'varied';

/** The attribute and the relationship a newer revision adds (variations `extras` and `null-data`). */
export const ADDED_ATTRIBUTE = 'added_in_newer_revision';
export const ADDED_RELATIONSHIP = 'added-in-newer-revision';

export function layoutVariations(names: readonly string[]): ReadonlySet<LayoutVariation> {
  return new Set(names.includes(VARIED) ? LAYOUT_VARIATIONS : LAYOUT_VARIATIONS.filter((v) => names.includes(v)));
}

export interface LayoutRequest {
  variations: ReadonlySet<LayoutVariation>;
  /** This response's seed: the simulator's and the request's. */
  seed: number;
  /** The top-level attributes of the primary data that the spec types `format: date-time`. */
  datetimes: readonly string[];
  /** Types the request asks a sparse fieldset of: nothing is added to their attributes. */
  sparse: ReadonlySet<string>;
  /** Primary data of resource identifiers (a `/relationships/` endpoint): nothing is added to them. */
  identifiers: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** The document `text` in the layout `req` asks for, as UTF-8. */
export function relayout(text: string, req: LayoutRequest): Buffer {
  if (req.variations.size === 0) return Buffer.from(text);
  const rng = new Rng(req.seed);
  const doc = JSON.parse(text) as Json;
  if (isObject(doc)) vary(doc, req, rng);
  return new LayoutWriter(req.variations, rng, text.length * 2).write(doc);
}

function vary(doc: JsonObject, req: LayoutRequest, rng: Rng): void {
  const has = (v: LayoutVariation): boolean => req.variations.has(v);
  if (!req.identifiers) {
    for (const resource of listOf(doc['data'])) {
      if (!isObject(resource)) continue;
      if (has('datetimes') && isObject(resource['attributes'])) restyleDatetimes(resource['attributes'], req.datetimes, rng);
      varyResource(resource, req, rng);
    }
    for (const resource of listOf(doc['included'])) if (isObject(resource)) varyResource(resource, req, rng);
  }
  // The spec's ResponseMeta (`meta.agent_hints.next_steps`), new in this revision.
  if (has('extras')) doc['meta'] = { agent_hints: { next_steps: ['Follow links.next for more.'] } };
  const links = doc['links'];
  if (has('links') && isObject(links)) {
    // JSON:API: a link to a page that does not exist is null; the spec's CollectionLinks has `prev`.
    links['next'] ??= null;
    links['prev'] ??= null;
    if (typeof links['self'] === 'string') links['first'] = links['self'];
  }
}

/** Values of the added attribute, one drawn per resource: every JSON type, non-ASCII text and a slash. */
const ADDED_VALUES: readonly Json[] = ['Señal — nueva ✓ a/b 🎉', 12.5, { nested: [1, 'two', null], on: true }, null, false, ['x', 'y/z'], 0, -7];

function varyResource(resource: JsonObject, req: LayoutRequest, rng: Rng): void {
  const has = (v: LayoutVariation): boolean => req.variations.has(v);
  const type = typeof resource['type'] === 'string' ? resource['type'] : '';
  const attributes = resource['attributes'];
  if (has('extras') && isObject(attributes) && !req.sparse.has(type)) attributes[ADDED_ATTRIBUTE] = rng.pick(ADDED_VALUES);
  if (has('extras')) resource['meta'] = { revision_note: 'a member JSON:API allows on any resource' };
  const relationships = isObject(resource['relationships']) ? resource['relationships'] : (resource['relationships'] = {});
  if (has('extras') || has('null-data')) relationships[ADDED_RELATIONSHIP] = addedRelationship(resource, req, rng);
  if (Object.keys(relationships).length === 0) delete resource['relationships'];
  if (!has('links')) return;
  // JSON:API lets a relationship with data go without links.
  for (const name of Object.keys(relationships)) {
    const relationship = relationships[name];
    if (isObject(relationship) && relationship['data'] !== undefined && rng.chance(0.5)) delete relationship['links'];
  }
}

/** The relationship a newer revision adds: to-one with data, to-many, links only, or (`null-data`) to-one with null. */
function addedRelationship(resource: JsonObject, req: LayoutRequest, rng: Rng): JsonObject {
  const self = isObject(resource['links']) && typeof resource['links']['self'] === 'string' ? resource['links']['self'] : '';
  const links = { self: `${self}relationships/${ADDED_RELATIONSHIP}/`, related: `${self}${ADDED_RELATIONSHIP}/` };
  const extras = req.variations.has('extras');
  if (req.variations.has('null-data') && (!extras || rng.chance(0.5))) return { data: null, links };
  const id = `N${rng.int(1_000_000)}`;
  const kind = rng.int(3);
  if (kind === 0) return { data: { type: 'added-object', id }, links };
  return kind === 1 ? { data: [{ type: 'added-object', id }], links } : { links };
}

/** The simulator's own datetime forms: `...SS+00:00` and `...SS.ffffff+00:00`. */
const SIM_DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{6}))?\+00:00$/;

/**
 * Each datetime in one of four forms of the same instant: `Z` or `+00:00`, with all six fraction digits (`.000000`
 * for a whole second) or as few as it needs (none, three or six).
 */
function restyleDatetimes(attributes: JsonObject, names: readonly string[], rng: Rng): void {
  for (const name of names) {
    const value = attributes[name];
    const m = typeof value === 'string' ? SIM_DATETIME.exec(value) : null;
    if (!m) continue;
    const micros = m[2] ?? '000000';
    const form = rng.int(4);
    const short = micros === '000000' ? '' : micros.endsWith('000') ? `.${micros.slice(0, 3)}` : `.${micros}`;
    attributes[name] = `${m[1] ?? ''}${form & 1 ? `.${micros}` : short}${form & 2 ? 'Z' : '+00:00'}`;
  }
}

const HEX = '0123456789abcdef';

/**
 * JSON text (UTF-8 bytes) with the members of each object in a drawn order, indented, and (`escapes`) every `/` in a
 * string written `\/` and every non-ASCII character `\uXXXX` (beyond U+FFFF, its two surrogates), as asked.
 */
class LayoutWriter {
  private readonly indent: string;
  private readonly shuffle: boolean;
  private readonly escapes: boolean;
  private out: Buffer;
  private n = 0;

  constructor(
    variations: ReadonlySet<LayoutVariation>,
    private readonly rng: Rng,
    /** About how many bytes it will write. */
    expected: number,
  ) {
    this.out = Buffer.allocUnsafe(expected);
    // JSON.stringify's and Python's json.dumps(indent=...) layouts: 2 or 4 spaces, or a tab.
    this.indent = variations.has('pretty') ? rng.pick(['  ', '    ', '\t']) : '';
    this.shuffle = variations.has('shuffle');
    this.escapes = variations.has('escapes');
  }

  write(value: Json): Buffer {
    this.n = 0;
    this.value(value, '');
    return this.out.subarray(0, this.n);
  }

  private value(value: Json, depth: string): void {
    if (typeof value === 'string') return this.string(value);
    if (value === null || typeof value !== 'object') return this.ascii(JSON.stringify(value));
    const inner = this.indent === '' ? '' : depth + this.indent;
    const isArray = Array.isArray(value);
    const keys = isArray ? null : Object.keys(value);
    const count = isArray ? value.length : (keys as string[]).length;
    if (count === 0) return this.ascii(isArray ? '[]' : '{}');
    if (keys !== null && this.shuffle) this.permute(keys);
    this.ascii(isArray ? '[' : '{');
    for (let i = 0; i < count; i++) {
      if (i > 0) this.ascii(',');
      if (inner !== '') this.ascii(`\n${inner}`);
      if (isArray) this.value(value[i] ?? null, inner);
      else {
        const key = (keys as string[])[i] as string;
        this.string(key);
        this.ascii(inner === '' ? ':' : ': ');
        this.value(value[key] ?? null, inner);
      }
    }
    if (inner !== '') this.ascii(`\n${depth}`);
    this.ascii(isArray ? ']' : '}');
  }

  private permute(keys: string[]): void {
    for (let i = keys.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
    }
  }

  /** Makes room for `bytes` more bytes. */
  private room(bytes: number): void {
    if (this.n + bytes <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.n + bytes));
    this.out.copy(grown, 0, 0, this.n);
    this.out = grown;
  }

  private ascii(text: string): void {
    this.room(text.length);
    for (let i = 0; i < text.length; i++) this.out[this.n++] = text.charCodeAt(i);
  }

  /** A string as JSON.stringify writes it, escaped as asked. */
  private string(text: string): void {
    const json = jsonString(text);
    if (!this.escapes) {
      this.room(json.length * 3);
      this.n += this.out.write(json, this.n, 'utf8');
      return;
    }
    // Six bytes at most for each UTF-16 unit (`\uXXXX`).
    this.room(json.length * 6);
    const out = this.out;
    for (let i = 0; i < json.length; i++) {
      const c = json.charCodeAt(i);
      if (c === 0x2f) {
        out[this.n++] = 0x5c;
        out[this.n++] = 0x2f;
      } else if (c < 0x80) out[this.n++] = c;
      else {
        out[this.n++] = 0x5c;
        out[this.n++] = 0x75;
        for (const shift of [12, 8, 4, 0]) out[this.n++] = HEX.charCodeAt((c >> shift) & 15);
      }
    }
  }
}
