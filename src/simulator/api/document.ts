// Renders JSON:API documents: resource objects (with sparse fieldsets, to-one relationship data,
// relationship links) and the `included` array.
import type { Attributes, Ref, Table } from '../types.js';
import type { World } from '../world/world.js';
import { hostileAttributes, type HostileLog } from './hostile.js';

export interface RenderContext {
  base: string;
  world: World;
  fields: Map<string, string[]>;
  extras: Set<string>;
  includes: string[];
  /** Off-spec values in primary data (the `hostileRate` knob). */
  hostile?: { rate: number; seed: number; log: HostileLog; parentId: string };
}

type Json = Record<string, unknown>;

function plural(type: string): string {
  return type.endsWith('y') ? `${type.slice(0, -1)}ies` : `${type}s`;
}

/** Copies the dotted `paths` of `source` (`location.city` keeps only that leaf of `location`). */
export function pickPaths(source: Attributes, paths: readonly string[]): Attributes {
  const out: Attributes = {};
  for (const path of paths) {
    const parts = path.split('.');
    let from: unknown = source;
    let into: Json = out;
    for (const [depth, part] of parts.entries()) {
      if (typeof from !== 'object' || from === null || !(part in from)) break;
      const value = (from as Json)[part];
      const last = depth === parts.length - 1;
      if (last || typeof value !== 'object' || value === null || Array.isArray(value)) {
        into[part] = value;
        break;
      }
      if (typeof into[part] !== 'object' || into[part] === null) into[part] = {};
      into = into[part] as Json;
      from = value;
    }
  }
  return out;
}

/**
 * `JSON.stringify(text)`; ids and names mostly need no escaping, and a loop over their characters costs less
 * than a call into `JSON.stringify`.
 */
export function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Quotes, backslashes, control characters and (possibly lone) surrogates take the escaping path.
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** `text` as it stands inside a JSON string (escaped, without the quotes). */
function inner(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * The JSON text every resource of one type shares on one origin, escaped once: `{"type":"event","id":`, the
 * start of its URLs, and each relationship's name. A page of 1,000 events writes these 1,000 times.
 */
interface TypeText {
  head: string;
  urlPrefix: string;
  names: Map<string, string>;
}

const typeTexts = new Map<string, TypeText>();

function typeText(base: string, type: string): TypeText {
  const key = `${base} ${type}`;
  let text = typeTexts.get(key);
  if (!text) {
    text = { head: `{"type":${JSON.stringify(type)},"id":`, urlPrefix: inner(`${base}/api/${plural(type)}/`), names: new Map() };
    typeTexts.set(key, text);
  }
  return text;
}

function nameText(text: TypeText, name: string): string {
  let escaped = text.names.get(name);
  if (escaped === undefined) {
    escaped = inner(name);
    text.names.set(name, escaped);
  }
  return escaped;
}

function refText(ref: Ref): string {
  return `{"type":${jsonString(ref.type)},"id":${jsonString(ref.id)}}`;
}

/**
 * The `relationships` member (with its leading comma), or '' when the type has none: to-one references with
 * their data, then the spec's to-many names (with data only when included). `self` is the resource's escaped URL.
 */
function relationshipsText(table: Table, row: number, text: TypeText, self: string, includes: readonly string[]): string {
  const members: [name: string, json: string][] = [];
  const put = (name: string, json: string): void => {
    // A name given twice keeps its first place and its last value, as an object's key would.
    const at = members.findIndex(([n]) => n === name);
    if (at < 0) members.push([name, json]);
    else members[at] = [name, json];
  };
  const links = (name: string): string => `"links":{"self":"${self}relationships/${name}/","related":"${self}${name}/"}`;
  const toOne = table.toOne(row);
  for (const name in toOne) {
    const ref = toOne[name];
    const escaped = nameText(text, name);
    if (ref) put(name, `"${escaped}":{"data":${refText(ref)},${links(escaped)}}`);
  }
  for (const name of table.toManyNames) {
    const escaped = nameText(text, name);
    const data = includes.includes(name) ? `"data":[${table.toMany(row, name).map(refText).join(',')}],` : '';
    put(name, `"${escaped}":{${data}${links(escaped)}}`);
  }
  if (members.length === 0) return '';
  let out = ',"relationships":{';
  for (let i = 0; i < members.length; i++) out += (i > 0 ? ',' : '') + (members[i]?.[1] ?? '');
  return `${out}}`;
}

/**
 * One resource object as JSON text: `{"type", "id", "attributes", "relationships"?, "links": {"self"}}`, the
 * text `JSON.stringify` gives the same object, written directly (the shared parts come from `typeText`).
 */
export function resourceText(table: Table, row: number, ctx: RenderContext, primary: boolean): string {
  const id = table.id(row);
  const text = typeText(ctx.base, table.type);
  const self = `${text.urlPrefix}${encodeURIComponent(id)}/`;
  const all = table.attributes(row, primary ? ctx.extras : NO_EXTRAS);
  const sparse = ctx.fields.get(table.type);
  const picked = sparse ? pickPaths(all, sparse) : all;
  const attributes = primary && ctx.hostile ? hostileAttributes(picked, table.type, id, ctx.hostile.rate, ctx.hostile.seed, { entries: ctx.hostile.log, parentId: ctx.hostile.parentId }) : picked;
  const rels = relationshipsText(table, row, text, self, primary ? ctx.includes : []);
  return `${text.head}${jsonString(id)},"attributes":${JSON.stringify(attributes)}${rels},"links":{"self":"${self}"}}`;
}

const NO_EXTRAS: ReadonlySet<string> = new Set();

/** The sideloaded resources the primary rows point to through the included relationships, as JSON texts. */
export function includedTexts(table: Table, rows: readonly number[], ctx: RenderContext): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const row of rows) {
    for (const name of ctx.includes) {
      const toOne = table.toOne(row)[name];
      for (const ref of toOne ? [toOne] : table.toMany(row, name)) {
        const key = `${ref.type}:${ref.id}`;
        const target = ctx.world.byType.get(ref.type);
        const targetRow = target?.rowOf(ref.id);
        if (seen.has(key) || !target || targetRow === undefined) continue;
        seen.add(key);
        out.push(resourceText(target, targetRow, ctx, false));
      }
    }
  }
  return out;
}
