// A page's primary resources read one at a time from its text as sent, so that at any moment one resource of the
// page is alive as objects rather than the whole page (about 3 MB for 1,000 events): V8's young generation then
// copies little when it collects, and promotes no pages to the old generation. A stream with a lane
// (KlaviyoStream.lane) writes most of its records straight from each resource's text, never parsing it.
//
// A Klaviyo page reads `{"data":[{...,"links":{"self":"<url>"}},{...}],...}`: each resource ends with its own
// `links`. Cutting `data` after those yields each resource's text, and the rest of the document (`links`,
// `included`) is parsed on its own with a number standing in for the array. The result is the document the whole
// parse gives (parseJsonApiBody), provided each piece reads on its own as exactly one value; where that is not so,
// the page (or the rest of it) is parsed as sent. Why that is exact:
// - A cut is made only after a `links` member of the form body.ts replaces (LINKS), then `}` and `,{` or `]`.
//   From the `"` after `links` on, every `"` of it is unescaped (preceded by a letter, `{`, `:` or a URL character,
//   never `\`), and after `links"` the text is outside any string (whether the first `"` opened a key or closed a
//   string that ended in `links`). So the `}` after it closes an object, and the `,` or `]` after that is outside
//   any string too: each piece starts where a value starts in the whole text, and reads as the same tokens alone.
// - A piece is used only if it is exactly one complete value (a lane matches it whole and parses its free-form
//   part; otherwise JSON.parse takes it). Starting at the start of an element of `data`, that is exactly that
//   element. A cut inside a resource (its own data holding such links, then `,{` in an array of objects) makes a
//   piece that is not one value: the rest of the page is then taken from the whole parse, and the pieces after it
//   are never read. A cut that ends `data` too early leaves the rest of the document with more closing brackets
//   than opening ones, so the rest does not parse and the whole page is read the plain way before anything is
//   used. A cut past the end of `data` (a resource that does not end with its own links, then `included`) could
//   leave a rest that parses without the members it ran over: the end must be followed by the document's `links`
//   (as Klaviyo writes it), and no `],"<top-level member>":` may come before it.
// - A later duplicate `"data"` key would replace the array in JSON.parse: the rest must give back the stand-in.
// - A piece parsed the general way has its links replaced as body.ts does for a page (parseJsonApi), with the same
//   check that each replacement is one of the resource's own or its relationships'.
// - Text that is not laid out this way (whitespace, `data` not first, a resource without its own `links`, a
//   `data` that is not an array of objects, a byte-order mark) is parsed whole, as before. Correctness never
//   depends on the cut.
// The page stays bytes; each resource's text is read from them as Latin-1 (one character per byte, a plain copy),
// and a resource with non-ASCII text is decoded as UTF-8 when it is parsed (the page is checked to be valid UTF-8).
import { isAscii, isUtf8 } from 'node:buffer';
import type { Resource } from './http.js';
import { LINKS_SOURCE, MARK, parseJsonApi, parseJsonApiBody, parsePlain } from './body.js';

const HEAD = '{"data":[';
/** Where a `links` member starts; LINKS_WHOLE then reads it whole (body.ts LINKS_SOURCE). */
const LINKS_START = '"links":{"self":"';
const LINKS_WHOLE = new RegExp(`^${LINKS_SOURCE}$`);
/**
 * The end of a resource's links and of itself, then the next resource's start (found after the quote: a needle
 * ending in a rare letter is found several times faster), or the end of `data`.
 */
const NEXT_START = '}},{"typ';
const DATA_END = '"}}],"links":';
const QUOTE = 0x22; // "
/** What stands in for `data` in the rest of the document. */
const DATA_MARK = MARK + 1;
const OPEN = 0x7b; // {
const END = 0x5d; // ]
/** A character of a non-ASCII byte, in a page read as Latin-1. */
const HIGH = /[\x80-\xff]/;

/** A document whose `data` is read one resource at a time. */
export interface LeanDocument {
  data: LeanResources;
  included?: Resource[];
  links?: { next?: string | null };
}

/**
 * Pages smaller than this are parsed whole: a young collection copies little of them anyway, and cutting costs
 * more than it saves (profiles, 170 KB pages of 100: about 5% more CPU per profile in alternating runs).
 */
export const LEAN_PAGE_MIN_BYTES = 512 * 1024;

/** A page's body as parseJsonApiBody reads it, but with `data` read one resource at a time where it can be. */
export function parseJsonApiPage(body: Buffer, minBytes = LEAN_PAGE_MIN_BYTES): unknown {
  return (body.length >= minBytes ? parseLeanPage(body) : undefined) ?? parseJsonApiBody(body);
}

/**
 * The document of a page with `data` to be read one resource at a time, or undefined where the text is not cut
 * this way (the caller parses it whole).
 */
export function parseLeanPage(body: Buffer): LeanDocument | undefined {
  if (!isAscii(body) && !isUtf8(body)) return undefined;
  // The page stays bytes: a Latin-1 string of it (1 MB of events) would land in V8's old generation with every
  // page and bring a full collection every few pages; the resources' strings are small and die young.
  if (body.toString('latin1', 0, HEAD.length) !== HEAD) return undefined;
  // Per resource: where its text starts and ends.
  const pieces: number[] = [];
  let at = HEAD.length;
  let end = body[at] === END ? at : -1;
  // Where `data` ends, as Klaviyo writes it (its `links` follow): the quote that ends the last resource's links.
  const last = end < 0 ? body.lastIndexOf(DATA_END) : end;
  while (end < 0) {
    if (body[at] !== OPEN) return undefined;
    const start = at;
    for (;;) {
      // A resource's end: the `"` that ends its links' URL, `}` after its links, `}` after itself, then the next
      // resource (`,{"type"`: Klaviyo writes `type` first; any other start is not cut) or the end of `data`.
      const next = body.indexOf(NEXT_START, at);
      const isLast = next < 0 || next > last;
      const quote = isLast ? last : next - 1;
      if (!linksEndAt(body, start, quote)) {
        if (isLast) return undefined;
        at = quote + 2;
        continue;
      }
      // The resource is the text up to its closing `}`; the next starts after the `,`.
      pieces.push(start, quote + 3);
      if (isLast) end = quote + 3;
      at = quote + 4;
      break;
    }
  }
  if (!ranToDataEnd(body, end)) return undefined;
  let doc: unknown;
  try {
    // The rest is decoded as UTF-8 (names in `included`).
    doc = JSON.parse(`{"data":${DATA_MARK}${body.toString('utf8', end + 1)}`);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { data?: unknown }).data !== DATA_MARK) return undefined;
  const page = doc as LeanDocument;
  page.data = new LeanResources(body, pieces);
  return page;
}

/** Whether a `links` member (LINKS_WHOLE) that starts after `start` ends with the `"` at `quote`, then `}`. */
function linksEndAt(body: Buffer, start: number, quote: number): boolean {
  if (quote < start || body[quote] !== QUOTE) return false;
  // They can only start at the last links start before the quote: a URL has no `"`.
  const links = body.lastIndexOf(LINKS_START, quote);
  return links >= start && LINKS_WHOLE.test(body.toString('latin1', links, quote + 2));
}

/** The top-level members JSON:API allows, as they follow `],"`. */
const MEMBERS = ['links":', 'included":', 'meta":', 'jsonapi":', 'errors":', 'data":'];

/**
 * Whether the `]` at `end` closes `data` itself, not an array after it (which the rest of the document would not
 * show: a cut past the end of `data` leaves a rest that parses, without the members it ran over). Klaviyo writes
 * the document's `links` right after `data`; the real end of `data` is followed by a top-level member, so no
 * `],"<member>":` may come before `end`. (User data holding such text is parsed whole.)
 */
function ranToDataEnd(body: Buffer, end: number): boolean {
  const after = (at: number, text: string): boolean => body.toString('latin1', at, at + text.length) === text;
  if (!after(end + 1, ',"links":')) return false;
  for (let at = body.indexOf('],"', HEAD.length); at >= 0 && at < end; at = body.indexOf('],"', at + 3)) {
    for (const member of MEMBERS) if (after(at + 3, member)) return false;
  }
  return true;
}

/** The primary resources of a page, parsed (or taken by a lane) as they are iterated, each time. */
export class LeanResources implements Iterable<Resource> {
  constructor(
    /** The page as sent. */
    private readonly body: Buffer,
    private readonly pieces: readonly number[],
  ) {}

  [Symbol.iterator](): Iterator<Resource> {
    return this.read(null);
  }

  /**
   * The resources in order, each as `take` makes it from its text (as sent, read as Latin-1), or parsed where
   * `take` gives undefined (or is null).
   */
  *read<T>(take: ((piece: string) => T | undefined) | null): Generator<Resource | T> {
    const { body, pieces } = this;
    for (let i = 0; i < pieces.length; i += 2) {
      const piece = body.toString('latin1', pieces[i], pieces[i + 1]);
      const taken = take?.(piece);
      if (taken !== undefined) {
        yield taken;
        continue;
      }
      const resource = parsePiece(piece);
      if (resource === undefined) {
        yield* this.plain().slice(i / 2);
        return;
      }
      yield resource;
    }
  }

  /**
   * The resources as sent. Reached only when a piece is not one value; the pieces before it were whole elements,
   * so the plain array continues where they end. A body whose text is not JSON past its first resources (never
   * seen: a truncated or HTML body fails before any is used) fails here, after those resources were used; no
   * STATE covers a page before it is all written.
   */
  private plain(): Resource[] {
    const data = (parsePlain(this.body) as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new SyntaxError('the data of a page is not an array');
    return data as Resource[];
  }
}

/** Non-ASCII text of a page read as Latin-1, decoded as the UTF-8 it is. */
export function decodeLatin1(text: string): string {
  return HIGH.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}

/** One resource's text parsed as a page's would be (parseJsonApi: links replaced where that is exact). */
function parsePiece(piece: string): Resource | undefined {
  let doc: unknown;
  try {
    doc = parseJsonApi(`{"data":${decodeLatin1(piece)}}`);
  } catch {
    return undefined;
  }
  const resource = (doc as { data?: unknown }).data;
  return typeof resource === 'object' && resource !== null && !Array.isArray(resource) ? (resource as Resource) : undefined;
}
