// Validates parsed filters against an endpoint's allowed fields/operators and evaluates them on rows.
import { badRequest } from '../http/api-error.js';
import type { FieldKind, FieldValue, FilterExpr, Literal, Scalar, Table } from '../types.js';

const COMPARISONS = new Set(['greater-than', 'greater-or-equal', 'less-than', 'less-or-equal']);
const TEXT_MATCHES = new Set(['contains', 'starts-with', 'ends-with']);

/** Throws a 400 naming the field or operator when a filter is not allowed or mistyped. */
export function checkFilters(exprs: readonly FilterExpr[], allowed: Readonly<Record<string, string[]>>, kinds: Readonly<Record<string, FieldKind>>): void {
  for (const expr of exprs) {
    const operators = allowed[expr.field];
    if (!operators) {
      const fields = Object.keys(allowed);
      const hint = fields.length ? `Allowed fields: ${fields.join(', ')}` : 'This endpoint takes no filter';
      throw badRequest(`'${expr.field}' is not a valid field for the filter. ${hint}.`, 'filter');
    }
    if (!operators.includes(expr.operator)) {
      throw badRequest(`Operator '${expr.operator}' is not allowed for field '${expr.field}'. Allowed: ${operators.join(', ')}.`, 'filter');
    }
    checkValueShape(expr);
    const kind = kinds[expr.field] ?? 'string';
    for (const literal of literalsOf(expr)) checkLiteral(expr, literal, kind);
  }
}

function literalsOf(expr: FilterExpr): Literal[] {
  if (expr.value === null) return [];
  return Array.isArray(expr.value) ? expr.value : [expr.value];
}

function checkValueShape(expr: FilterExpr): void {
  const where = `${expr.operator}(${expr.field},...)`;
  if (expr.operator === 'has') {
    if (expr.value !== null) throw badRequest(`'has' takes only a field: ${where}.`, 'filter');
    return;
  }
  if (expr.value === null) throw badRequest(`Missing value in ${where}.`, 'filter');
  if (expr.operator === 'any' && !Array.isArray(expr.value)) throw badRequest(`'any' takes a list of values: ${where}.`, 'filter');
  if (expr.operator !== 'any' && Array.isArray(expr.value)) throw badRequest(`'${expr.operator}' takes a single value: ${where}.`, 'filter');
}

function checkLiteral(expr: FilterExpr, literal: Literal, kind: FieldKind): void {
  if (literal.kind === 'null' && (expr.operator === 'equals' || expr.operator === 'any')) return;
  if (literal.kind === kind) return;
  if (kind === 'datetime' && literal.kind === 'string') {
    throw badRequest(`Invalid datetime for '${expr.field}': datetime values must not be quoted (got '${literal.value}').`, 'filter');
  }
  const got = literal.kind === 'datetime' ? literal.text : literal.kind === 'null' ? 'null' : String(literal.value);
  throw badRequest(`Invalid value ${got} for '${expr.field}' in ${expr.operator}(): expected a ${kind}.`, 'filter');
}

/** Whether the row satisfies every filter (top-level commas and `and(...)` both mean AND). */
export function matchesAll(table: Table, row: number, exprs: readonly FilterExpr[]): boolean {
  for (const expr of exprs) if (!matches(table.value(row, expr.field), expr)) return false;
  return true;
}

function matches(value: FieldValue, expr: FilterExpr): boolean {
  const values: readonly Scalar[] = Array.isArray(value) ? value : [value as Scalar];
  if (expr.operator === 'has') return values.some((v) => v !== null && v !== '');
  const literals = literalsOf(expr);
  return values.some((v) => literals.some((literal) => test(expr.operator, v, literal)));
}

function test(operator: string, value: Scalar, literal: Literal): boolean {
  if (literal.kind === 'null') return value === null;
  if (value === null) return false;
  if (operator === 'equals' || operator === 'any') return value === literal.value;
  if (COMPARISONS.has(operator)) return compare(operator, value, literal.value);
  if (TEXT_MATCHES.has(operator) && typeof value === 'string' && typeof literal.value === 'string') {
    if (operator === 'contains') return value.includes(literal.value);
    return operator === 'starts-with' ? value.startsWith(literal.value) : value.endsWith(literal.value);
  }
  return false;
}

function compare(operator: string, value: Scalar, bound: string | number | boolean): boolean {
  if (typeof value !== typeof bound || value === null) return false;
  const a = value as number | string;
  const b = bound as number | string;
  switch (operator) {
    case 'greater-than':
      return a > b;
    case 'greater-or-equal':
      return a >= b;
    case 'less-than':
      return a < b;
    default:
      return a <= b;
  }
}

/** The [low, high] range (inclusive, conservative) a numeric field is limited to by the filters. */
export function numericBounds(exprs: readonly FilterExpr[], field: string): { low: number; high: number } {
  let low = -Infinity;
  let high = Infinity;
  for (const expr of exprs) {
    if (expr.field !== field || Array.isArray(expr.value) || expr.value === null) continue;
    const literal = expr.value;
    if (literal.kind !== 'number' && literal.kind !== 'datetime') continue;
    if (expr.operator === 'greater-than' || expr.operator === 'greater-or-equal') low = Math.max(low, literal.value);
    if (expr.operator === 'less-than' || expr.operator === 'less-or-equal') high = Math.min(high, literal.value);
  }
  return { low, high };
}
