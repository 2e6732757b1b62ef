// Parses Klaviyo's `filter` parameter:
//   filter := expr (',' expr)* ;  expr := 'and(' filter ')' | operator '(' field [',' value] ')'
//   value  := literal | '[' literal (',' literal)* ']'
// Strings are single- or double-quoted; datetimes, numbers, true/false and null are bare.
import { parseDatetime } from '../datetime.js';
import { badRequest } from '../http/api-error.js';
import type { FilterExpr, Literal } from '../types.js';

class Cursor {
  position = 0;
  constructor(readonly text: string) {}

  skipSpaces(): void {
    while (this.text[this.position] === ' ') this.position++;
  }
  peek(): string {
    this.skipSpaces();
    return this.text[this.position] ?? '';
  }
  expect(ch: string): void {
    if (this.peek() !== ch) fail(`expected '${ch}' at position ${this.position}`, this.text);
    this.position++;
  }
  atEnd(): boolean {
    return this.peek() === '';
  }
  /** Characters up to (not including) the next `,`, `)` or `]`. */
  bareToken(): string {
    this.skipSpaces();
    const start = this.position;
    while (this.position < this.text.length && !',)]'.includes(this.text[this.position] ?? '')) this.position++;
    return this.text.slice(start, this.position).trim();
  }
}

const OPERATORS = new Set(['and', 'equals', 'any', 'greater-than', 'greater-or-equal', 'less-than', 'less-or-equal', 'contains', 'starts-with', 'ends-with', 'has']);

function fail(problem: string, text: string): never {
  throw badRequest(`Invalid filter provided: ${problem} in '${text}'.`, 'filter');
}

export function parseFilter(text: string): FilterExpr[] {
  const cursor = new Cursor(text);
  const exprs = parseList(cursor);
  if (!cursor.atEnd()) fail(`unexpected '${cursor.peek()}' at position ${cursor.position}`, text);
  return exprs;
}

function parseList(cursor: Cursor): FilterExpr[] {
  const exprs = parseExpr(cursor);
  while (cursor.peek() === ',') {
    cursor.position++;
    exprs.push(...parseExpr(cursor));
  }
  return exprs;
}

function parseExpr(cursor: Cursor): FilterExpr[] {
  cursor.skipSpaces();
  const match = /^[a-z][a-z-]*/.exec(cursor.text.slice(cursor.position));
  if (!match) fail(`expected an operator at position ${cursor.position}`, cursor.text);
  const operator = match[0];
  if (!OPERATORS.has(operator)) fail(`unknown operator '${operator}'`, cursor.text);
  cursor.position += operator.length;
  cursor.expect('(');
  if (operator === 'and') {
    const inner = parseList(cursor);
    cursor.expect(')');
    return inner;
  }
  const field = cursor.bareToken();
  if (!/^[A-Za-z_$][\w.$-]*$/.test(field)) fail(`'${field}' is not a field name`, cursor.text);
  let value: Literal | Literal[] | null = null;
  if (cursor.peek() === ',') {
    cursor.position++;
    value = cursor.peek() === '[' ? parseArray(cursor) : parseLiteral(cursor);
  }
  cursor.expect(')');
  return [{ operator, field, value }];
}

function parseArray(cursor: Cursor): Literal[] {
  cursor.expect('[');
  const items: Literal[] = [];
  if (cursor.peek() === ']') fail('empty list', cursor.text);
  for (;;) {
    items.push(parseLiteral(cursor));
    if (cursor.peek() !== ',') break;
    cursor.position++;
  }
  cursor.expect(']');
  return items;
}

function parseLiteral(cursor: Cursor): Literal {
  const quote = cursor.peek();
  if (quote === "'" || quote === '"') return parseQuoted(cursor, quote);
  const token = cursor.bareToken();
  if (token === '') fail(`missing value at position ${cursor.position}`, cursor.text);
  if (token === 'true' || token === 'false') return { kind: 'boolean', value: token === 'true' };
  if (token === 'null') return { kind: 'null' };
  if (/^-?\d+(\.\d+)?$/.test(token)) return { kind: 'number', value: Number(token) };
  const micros = parseDatetime(token);
  if (micros !== null) return { kind: 'datetime', value: micros, text: token };
  return fail(`'${token}' is not a valid value (quote strings; datetimes are ISO 8601, unquoted)`, cursor.text);
}

function parseQuoted(cursor: Cursor, quote: string): Literal {
  cursor.position++;
  let value = '';
  for (;;) {
    const ch = cursor.text[cursor.position];
    if (ch === undefined) fail('unterminated string', cursor.text);
    cursor.position++;
    if (ch === '\\' && cursor.text[cursor.position] !== undefined) {
      value += cursor.text[cursor.position];
      cursor.position++;
    } else if (ch === quote) return { kind: 'string', value };
    else value += ch;
  }
}
