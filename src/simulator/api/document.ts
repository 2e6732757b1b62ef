// Renders JSON:API documents: resource objects (with sparse fieldsets, to-one relationship data,
// relationship links) and the `included` array.
import type { Attributes, Table } from '../types.js';
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

export function resourceUrl(base: string, type: string, id: string): string {
  return `${base}/api/${plural(type)}/${encodeURIComponent(id)}/`;
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

function relationships(table: Table, row: number, self: string, includes: readonly string[]): Json {
  const out: Json = {};
  const links = (name: string): Json => ({ self: `${self}relationships/${name}/`, related: `${self}${name}/` });
  for (const [name, ref] of Object.entries(table.toOne(row))) out[name] = { data: { type: ref.type, id: ref.id }, links: links(name) };
  for (const name of table.toManyNames) {
    out[name] = includes.includes(name) ? { data: table.toMany(row, name).map((r) => ({ type: r.type, id: r.id })), links: links(name) } : { links: links(name) };
  }
  return out;
}

export function resourceObject(table: Table, row: number, ctx: RenderContext, primary: boolean): Json {
  const id = table.id(row);
  const self = resourceUrl(ctx.base, table.type, id);
  const all = table.attributes(row, primary ? ctx.extras : new Set());
  const sparse = ctx.fields.get(table.type);
  const picked = sparse ? pickPaths(all, sparse) : all;
  const attributes = primary && ctx.hostile ? hostileAttributes(picked, table.type, id, ctx.hostile.rate, ctx.hostile.seed, { entries: ctx.hostile.log, parentId: ctx.hostile.parentId }) : picked;
  const resource: Json = { type: table.type, id, attributes };
  const rels = relationships(table, row, self, primary ? ctx.includes : []);
  if (Object.keys(rels).length > 0) resource['relationships'] = rels;
  resource['links'] = { self };
  return resource;
}

/** The sideloaded resources the primary rows point to through the included relationships. */
export function includedResources(table: Table, rows: readonly number[], ctx: RenderContext): Json[] {
  const seen = new Set<string>();
  const out: Json[] = [];
  for (const row of rows) {
    for (const name of ctx.includes) {
      const toOne = table.toOne(row)[name];
      for (const ref of toOne ? [toOne] : table.toMany(row, name)) {
        const key = `${ref.type}:${ref.id}`;
        const target = ctx.world.byType.get(ref.type);
        const targetRow = target?.rowOf(ref.id);
        if (seen.has(key) || !target || targetRow === undefined) continue;
        seen.add(key);
        out.push(resourceObject(target, targetRow, ctx, false));
      }
    }
  }
  return out;
}
