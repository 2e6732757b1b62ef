// A page's primary resources parsed one at a time, from the lean text of body.ts, so that at any moment one
// resource of the page is alive as objects rather than the whole page (about 3 MB for 1,000 events): V8's young
// generation then copies little when it collects, and promotes no pages to the old generation.
//
// The lean text of a Klaviyo page reads `{"data":[{...,"links":MARK},{...,"links":MARK}],...}`: each resource ends
// with its own replaced `links`. Cutting `data` at those places yields each resource's text, and the rest of the
// document (`links`, `included`) is parsed on its own with a number standing in for the array. The result is the
// document JSON.parse(lean) gives, provided each piece parses on its own and counts its marks; where that is not
// so, the page (or the rest of it) is parsed as sent. Why that is exact:
// - A cut is made only after `"links":MARK}` followed by `,{` or `]`. A replacement is always a whole member of
//   some object (body.ts: inside a JSON string every `"` is escaped, so its quotes are structural), so the `}`
//   after it closes an object and the `,` or `]` after that is outside any string too. Each piece therefore starts
//   where a value starts in the whole text, and its characters read as the same tokens alone as in the whole.
// - JSON.parse accepts a piece only if it is exactly one complete value. Starting at the start of an element of
//   `data`, that is exactly that element. So a cut inside a resource (its own data holding `"links":{"self":..}}`
//   followed by `,{` in an array of objects) makes a piece that fails: the rest of the page is then taken from the
//   plain parse. A cut that ends `data` too early leaves the rest of the document with more closing brackets than
//   opening ones, so the rest does not parse and the whole page is read the plain way before anything is used.
//   A cut past the end of `data` (a resource that does not end with its own links, then `included`) could leave a
//   rest that parses without the members it ran over: the end must be followed by the document's `links` (as
//   Klaviyo writes it), and no `],"<top-level member>":` may come before it.
// - A later duplicate `"data"` key would replace the array in JSON.parse: the rest must give back the stand-in.
// - Marks are counted per piece as in body.ts for the whole: a replacement inside a resource's own data (an event
//   property named `links` shaped like the API's) makes its piece read from the plain parse.
// - Text that is not laid out this way (whitespace, `data` not first, a resource without its own `links`, a
//   `data` that is not an array of objects) is parsed whole, as before. Correctness never depends on the cut.
import type { Resource } from './http.js';
import { leanText, MARK, parseJsonApiBody, parseLean, parsePlain, REPLACEMENT, resourceMarks, structuralMarks, type Lean } from './body.js';

const HEAD = '{"data":[';
/** A replacement (REPLACEMENT) is the key, then the number. */
const MARK_TEXT = String(MARK);
const LINKS_KEY = REPLACEMENT.slice(0, -MARK_TEXT.length);
/** What stands in for `data` in the rest of the document: never a replaced `links` (MARK). */
const DATA_MARK = MARK + 1;
const CLOSE = 0x7d; // }
const COMMA = 0x2c; // ,
const OPEN = 0x7b; // {
const END = 0x5d; // ]

/** A document whose `data` is read one resource at a time. */
export interface LeanDocument {
  data: LeanResources;
  included?: Resource[];
  links?: { next?: string | null };
}

/**
 * Pages smaller than this are parsed whole: a young collection copies little of them anyway, and cutting costs
 * more than it saves (profiles, 170 KB pages of 100: about 5% more CPU per profile in alternating runs; events,
 * 1 MB pages of 1,000: about 4% less per event).
 */
export const LEAN_PAGE_MIN_BYTES = 512 * 1024;

/** A page's body as parseJsonApiBody reads it, but with `data` read one resource at a time where it can be. */
export function parseJsonApiPage(body: Buffer, minBytes = LEAN_PAGE_MIN_BYTES): unknown {
  if (body.length < minBytes) return parseJsonApiBody(body);
  const lean = leanText(body);
  return (lean ? parseLeanPage(lean) : undefined) ?? parseLean(lean, body);
}

/**
 * The document of a lean page with `data` to be read one resource at a time, or undefined where the text is not
 * cut this way (the caller parses it whole).
 */
export function parseLeanPage(lean: Lean): LeanDocument | undefined {
  const text = lean.text;
  if (!text.startsWith(HEAD)) return undefined;
  // Per resource: where its text starts and ends, and how many marks it holds.
  const pieces: number[] = [];
  let at = HEAD.length;
  let end = text.charCodeAt(at) === END ? at : -1;
  let marksInData = 0;
  while (end < 0) {
    if (text.charCodeAt(at) !== OPEN) return undefined;
    const start = at;
    let marks = 0;
    for (;;) {
      // The number alone is found several times faster than the whole replacement (`"` starts every key).
      const mark = text.indexOf(MARK_TEXT, at);
      if (mark < 0) return undefined;
      at = mark + MARK_TEXT.length;
      // Digits that are not a replacement: none of the replacement can start inside them (it has `:` before the
      // number), so the search goes on after them.
      if (!text.startsWith(LINKS_KEY, mark - LINKS_KEY.length)) continue;
      marks++;
      if (text.charCodeAt(at) !== CLOSE) continue;
      const next = text.charCodeAt(at + 1);
      if (next === COMMA && text.charCodeAt(at + 2) === OPEN) {
        pieces.push(start, at + 1, marks);
        at += 2;
        break;
      }
      if (next === END) {
        pieces.push(start, at + 1, marks);
        end = at + 1;
        break;
      }
    }
    marksInData += marks;
  }
  if (!ranToDataEnd(text, end)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(`{"data":${DATA_MARK}${text.slice(end + 1)}`);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { data?: unknown }).data !== DATA_MARK) return undefined;
  if (structuralMarks(doc) !== lean.replaced - marksInData) return undefined;
  const page = doc as LeanDocument;
  page.data = new LeanResources(text, pieces, lean.sent);
  return page;
}

/** The top-level members JSON:API allows, as they follow `],"`. */
const MEMBERS = ['links":', 'included":', 'meta":', 'jsonapi":', 'errors":', 'data":'];

/**
 * Whether the `]` at `end` closes `data` itself, not an array after it (which the rest of the document would not
 * show: a cut past the end of `data` leaves a rest that parses, without the members it ran over). Klaviyo writes
 * the document's `links` right after `data`; the real end of `data` is followed by a top-level member, so no
 * `],"<member>":` may come before `end`. (User data holding such text is parsed whole.)
 */
function ranToDataEnd(text: string, end: number): boolean {
  if (!text.startsWith(',"links":', end + 1)) return false;
  for (let at = text.indexOf('],"', HEAD.length); at >= 0 && at < end; at = text.indexOf('],"', at + 3)) {
    for (const member of MEMBERS) if (text.startsWith(member, at + 3)) return false;
  }
  return true;
}

/** The primary resources of a lean page, parsed as they are iterated (each iteration parses them again). */
export class LeanResources implements Iterable<Resource> {
  constructor(
    private readonly text: string,
    private readonly pieces: readonly number[],
    /** The page as sent, as Latin-1 (Lean.sent): a string, not the bytes, so that it adds to no external memory. */
    private readonly sent: string,
  ) {}

  [Symbol.iterator](): Iterator<Resource> {
    return this.read(null);
  }

  /**
   * The resources in order, each as `take` makes it from its text and how many replaced `links` the text holds,
   * or parsed where `take` gives undefined (or is null).
   */
  *read<T>(take: ((piece: string, marks: number) => T | undefined) | null): Generator<Resource | T> {
    const { text, pieces } = this;
    for (let i = 0; i < pieces.length; i += 3) {
      const piece = text.slice(pieces[i], pieces[i + 1]);
      const marks = pieces[i + 2] ?? 0;
      const taken = take?.(piece, marks);
      if (taken !== undefined) {
        yield taken;
        continue;
      }
      const resource = parsePiece(piece, marks);
      if (resource === undefined) {
        yield* this.plain().slice(i / 3);
        return;
      }
      yield resource;
    }
  }

  /**
   * The resources as sent. Reached only when a piece does not parse or holds a mark in its own data; the pieces
   * before it were whole elements (they parsed), so the plain array continues where they end. A body whose text
   * is not JSON past its first resources (never seen: a truncated or HTML body fails before any is used) fails
   * here, after those resources were used; no STATE covers a page before it is all written.
   */
  private plain(): Resource[] {
    const data = (parsePlain(Buffer.from(this.sent, 'latin1')) as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new SyntaxError('the data of a page is not an array');
    return data as Resource[];
  }
}

/** One resource's text parsed, if every mark in it is one of its own or its relationships' `links`. */
function parsePiece(piece: string, marks: number): Resource | undefined {
  let resource: unknown;
  try {
    resource = JSON.parse(piece);
  } catch {
    return undefined;
  }
  return typeof resource === 'object' && resource !== null && resourceMarks(resource) === marks ? (resource as Resource) : undefined;
}
