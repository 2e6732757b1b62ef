// A catalog's `schema` (Meltano's `schema:` extra writes there) over the tap's own: the Singer spec and the Meltano
// SDK take the catalog's schema as the stream's. What the tap can keep its promise on is honoured, in the SCHEMA
// message and in record validation: annotations (description, title, ...), a narrower `type` (fewer types, or
// integer for number), more `required` fields, and added properties that are nullable (the tap has no value for
// them: they stay null). Anything else would make the tap send records its schema does not describe, so it is
// refused with one line naming the stream and the property. A keyword the catalog leaves out keeps the tap's value,
// and a property it leaves out keeps the tap's schema (a catalog need not repeat what it does not change).
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../shared/errors.js';
import { typeNames } from './fit-value.js';
import type { JsonSchema } from './messages.js';

const ANNOTATIONS = new Set(['description', 'title', 'examples', '$comment']);

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Refused extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(why);
  }
}

/**
 * The stream's schema with the catalog's `given` schema laid over `own` (the tap's), or a ConfigError naming the
 * stream and the first property whose change cannot be honoured.
 */
export function overriddenSchema(stream: string, own: JsonSchema, given: unknown): JsonSchema {
  if (given === undefined || isDeepStrictEqual(given, own)) return own;
  try {
    if (!isSchema(given)) throw new Refused('', 'is not a JSON Schema object');
    return mergeNode(own, given, '');
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    const where = err.path === '' ? 'its schema' : `property ${err.path}`;
    throw new ConfigError(
      `--catalog: stream ${stream}, ${where}: ${err.why}; a catalog's schema may change descriptions, narrow types and add nullable properties only: undo that change (in Meltano, the schema extra) or run --discover again`,
      `${stream}.schema`,
    );
  }
}

/** `given` over `own` at `path` (a property path, '' for the stream's schema). */
function mergeNode(own: Schema, given: Schema, path: string): Schema {
  const out: Schema = { ...own };
  for (const [key, value] of Object.entries(given)) {
    if (ANNOTATIONS.has(key)) out[key] = value;
    else if (key === 'type') out[key] = narrowerType(own[key], value, path);
    else if (key === 'required') out[key] = moreRequired(own[key], value, path);
    else if (key === 'properties') out[key] = mergeProperties(own, value, path);
    else if (key === 'items') {
      if (!isSchema(own['items']) || !isSchema(value)) throw new Refused(path, `"items" ${own['items'] === undefined ? 'added to a value without items' : 'is not a schema'}`);
      out[key] = mergeNode(own['items'], value, `${path}[]`);
    } else if (!isDeepStrictEqual(value, own[key])) {
      throw new Refused(path, `"${key}" ${own[key] === undefined ? 'added' : `changed from ${JSON.stringify(own[key])} to ${JSON.stringify(value)}`}`);
    }
  }
  return out;
}

function mergeProperties(own: Schema, given: unknown, path: string): Schema {
  if (!isSchema(given)) throw new Refused(path, '"properties" is not an object');
  const ownProps = isSchema(own['properties']) ? own['properties'] : {};
  const out: Schema = { ...ownProps };
  for (const [name, schema] of Object.entries(given)) {
    const at = path === '' ? name : `${path}.${name}`;
    if (!isSchema(schema)) throw new Refused(at, 'is not a JSON Schema object');
    const mine = ownProps[name];
    out[name] = isSchema(mine) ? mergeNode(mine, schema, at) : addedProperty(schema, at);
  }
  return out;
}

/** A property the tap does not have: kept (a column that stays null) when it may be null. */
function addedProperty(schema: Schema, path: string): Schema {
  const types = typeNames(schema['type']);
  if (!types.includes('null') || types.length < 2) {
    const hint = path === 'account_id' ? ' (account_id comes from account_id_column, which is off)' : '';
    throw new Refused(path, `is not a property of the stream and not nullable${hint}: an added property must allow null (e.g. "type": ["string", "null"]), since the tap has no value for it`);
  }
  return schema;
}

/** `given` when it allows no type `own` does not (integer counts as a number); else refused. */
function narrowerType(own: unknown, given: unknown, path: string): unknown {
  const mine = typeNames(own);
  const theirs = typeNames(given);
  const allowed = (t: string): boolean => mine.includes(t) || (t === 'integer' && mine.includes('number'));
  if (theirs.length === 0 || !theirs.every(allowed)) {
    throw new Refused(path, `"type" ${JSON.stringify(given)} is not narrower than the tap's ${JSON.stringify(own)}`);
  }
  return given;
}

/** The tap's required fields and the catalog's: a catalog may require more, never less. */
function moreRequired(own: unknown, given: unknown, path: string): string[] {
  if (!Array.isArray(given) || !given.every((f) => typeof f === 'string')) throw new Refused(path, '"required" is not a list of property names');
  return [...new Set([...(Array.isArray(own) ? (own as string[]) : []), ...given])];
}
