// The rules a schema must follow for warehouse targets to load it (issue: "lands in any Singer target"):
// 1. every property at every level has `type`, a string or [one type, "null"];
// 2. no anyOf, oneOf, allOf, not, $ref, if/then/else anywhere;
// 4. `format` only `date-time` (the tap rewrites those strings in RFC 3339 UTC), and only on top-level
//    properties: singer-check-tap reads a formatted property of a nullable object without checking that the
//    object is there, so a null `predictive_analytics` would crash it (nested datetimes carry a pattern instead).
// Sizes (rule 5) are checked by the tests themselves.

const FORBIDDEN = ['anyOf', 'oneOf', 'allOf', 'not', '$ref', 'if', 'then', 'else'];
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);

type Node = Record<string, unknown>;

function typeProblem(type: unknown): string | null {
  if (typeof type === 'string') return TYPES.has(type) ? null : `unknown type ${type}`;
  if (!Array.isArray(type)) return 'no type';
  const real = type.filter((t) => t !== 'null');
  if (real.length !== 1 || type.length !== real.length + 1 || !TYPES.has(String(real[0]))) return `type ${JSON.stringify(type)} is not [<type>, "null"]`;
  return null;
}

/** Every breach of the rules in `schema`, as `<where>.<path>: <problem>`. */
export function schemaProblems(schema: Node, where: string): string[] {
  const problems: string[] = [];
  const visit = (node: Node, path: string, isProperty: boolean, depth = 0): void => {
    for (const key of FORBIDDEN) if (key in node) problems.push(`${where}${path}: uses ${key}`);
    if (isProperty) {
      const problem = typeProblem(node['type']);
      if (problem) problems.push(`${where}${path}: ${problem}`);
    }
    if (node['format'] !== undefined && node['format'] !== 'date-time') problems.push(`${where}${path}: format ${String(node['format'])}`);
    else if (node['format'] !== undefined && depth > 1) problems.push(`${where}${path}: format below the top level`);
    const props = node['properties'];
    if (props !== undefined) {
      if (typeof props !== 'object' || props === null) problems.push(`${where}${path}: properties is not an object`);
      else for (const [name, child] of Object.entries(props)) visit(child as Node, `${path}.${name}`, true, depth + 1);
    }
    if (node['items'] !== undefined) visit(node['items'] as Node, `${path}[]`, true, depth);
    if (node['additionalProperties'] !== undefined && typeof node['additionalProperties'] === 'object') {
      visit(node['additionalProperties'] as Node, `${path}{*}`, true, depth + 1);
    }
  };
  visit(schema, '', false);
  return problems;
}
