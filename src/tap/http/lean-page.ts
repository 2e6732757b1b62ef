// A page's primary resources read one at a time from its text as sent, so that at any moment one resource of the
// page is alive as objects rather than the whole page (about 3 MB for 1,000 events): V8's young generation then
// copies little when it collects, and promotes no pages to the old generation. A stream with a lane
// (KlaviyoStream.lane) writes most of its records straight from each resource's bytes, never parsing it.
//
// Where each resource of `data` starts and ends is found by the quick cut of the simulator's layout where it applies
// (klaviyo-cut.ts), else by reading the page's bytes once (byte-scanner.ts): the members of the document, and each
// element of `data`, in any layout (member order, whitespace, escapes). A lane's reader reads each resource there and
// then (EventSlots.scan); any other resource is passed over by its brackets and quotes. The rest of the document
// (`links`, `included`) is parsed with a number standing in for `data`. Why the result is the document the whole
// parse gives (parseJsonApiBody):
// - Read byte by byte, every member of the document and every element of `data` is found by reading the text from
//   its start, as JSON.parse does; the text between two elements must be a comma (whitespace aside), the text after
//   the last one `]`. (The quick cut's own reasons are in klaviyo-cut.ts.)
// - A resource is used only if it is exactly one JSON value starting at the start of an element, which is then that
//   element: a lane's reader checks it (where the page was read byte by byte) or its lane does when it writes it;
//   any other is parsed alone. One that does not parse has a page cut quickly read byte by byte from there on (the
//   pieces before it were whole elements, at the same indexes), and makes the rest of any other be parsed as sent.
// - The rest of the document is parsed by JSON.parse; the number must come back as its `data` (a later duplicate
//   `data` key would replace the array in JSON.parse too).
// - A resource parsed the general way has its links replaced as body.ts does for a page (parseJsonApi), with the same
//   check that each replacement is one of the resource's own or its relationships'.
// - Text that is not a JSON object with `data` an array of objects (or not UTF-8) is parsed whole.
// The page stays bytes; each resource's text is read from them as Latin-1 (one character per byte, a plain copy),
// and a resource with non-ASCII text is decoded as UTF-8 when it is parsed (the page is checked to be valid UTF-8).
import { isAscii, isUtf8 } from 'node:buffer';
import type { Resource } from './json-api.js';
import { MARK, parseJsonApi, parseJsonApiBody, parsePlain } from './body.js';
import { holds, QUOTE, readString, special, structureEnd, valueEnd, ws } from './byte-scanner.js';
import { cutKlaviyoLayout } from './klaviyo-cut.js';

/** What stands in for `data` in the rest of the document. */
const DATA_MARK = MARK + 1;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const LIST_OPEN = 0x5b;
const LIST_CLOSE = 0x5d;
/** A character of a non-ASCII byte, in a page read as Latin-1. */
const HIGH = /[\x80-\xff]/;

/**
 * A lane's reader of one page (KlaviyoStream.lane): `scan` reads resource `index` of `data` at `i` (its `{`) as the
 * page is read, and gives the position after it; -1 where it does not take it.
 */
export interface PageReader {
  scan(b: Buffer, i: number, index: number): number;
}
export type NewReader = () => PageReader;
/** A lane's record of resource `index` of a page (its bytes [start, end); `read`: the reader took it); undefined: parse it. */
export type LaneWrite<T> = (index: number, body: Buffer, start: number, end: number, read: boolean) => T | undefined;

/** A document whose `data` is read one resource at a time. */
export interface LeanDocument {
  data: LeanResources;
  included?: Resource[];
  links?: { next?: string | null };
}

/**
 * Pages smaller than this are parsed whole where no lane reads them: a young collection copies little of them anyway,
 * and cutting costs more than it saves (profiles, 170 KB pages of 100: about 5% more CPU per profile in alternating
 * runs). A lane's page is read lean whatever its size: the lane costs less than the general path.
 */
export const LEAN_PAGE_MIN_BYTES = 512 * 1024;

/** A page's body as parseJsonApiBody reads it, but with `data` read one resource at a time where it can be. */
export function parseJsonApiPage(body: Buffer, minBytes = LEAN_PAGE_MIN_BYTES, newReader: NewReader | null = null): unknown {
  return (newReader !== null || body.length >= minBytes ? parseLeanPage(body, newReader) : undefined) ?? parseJsonApiBody(body);
}

/**
 * The document of a page with `data` to be read one resource at a time (each read by a reader from `newReader` where
 * it takes it), or undefined where the text is not a JSON:API document read this way (the caller parses it whole).
 */
export function parseLeanPage(body: Buffer, newReader: NewReader | null = null): LeanDocument | undefined {
  if (!isAscii(body) && !isUtf8(body)) return undefined;
  const reader = newReader?.() ?? null;
  const cut = cutKlaviyoLayout(body);
  const data = cut ? { ...cut, top: 0, pieces: withFlags(cut.pieces) } : splitData(body, reader);
  if (data === undefined) return undefined;
  let doc: unknown;
  try {
    // The rest is decoded as UTF-8 (names in `included`).
    doc = JSON.parse(`${body.toString('utf8', data.top, data.start)}${DATA_MARK}${body.toString('utf8', data.end)}`);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { data?: unknown }).data !== DATA_MARK) return undefined;
  const page = doc as LeanDocument;
  // A cut piece that is not one resource (resources not all ending with their own links) has the page read byte by
  // byte from there on, rather than parsed whole.
  page.data = new LeanResources(body, data.pieces, reader, cut ? () => splitData(body, reader)?.pieces : null);
  return page;
}

/** Start and end pairs as LeanResources keeps them: with a 0 each (not read by a reader). */
function withFlags(pairs: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) out.push(pairs[i] as number, pairs[i + 1] as number, 0);
  return out;
}

/** Where the document starts (its `{`), its `data` (`[` and after `]`), and each resource in it, read byte by byte. */
interface DataAt {
  top: number;
  start: number;
  end: number;
  pieces: number[];
}

/** The document read by its members (see the header), each resource of `data` by `reader` where it takes it. */
function splitData(b: Buffer, reader: PageReader | null): DataAt | undefined {
  let i = ws(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
  if (b[i] !== OPEN) return undefined;
  const top = i;
  let data: DataAt | null = null;
  i = ws(b, i + 1);
  if (b[i] !== CLOSE) {
    for (;;) {
      if (b[i] !== QUOTE) return undefined;
      const key = i;
      i = readString(b, i);
      if (i < 0) return undefined;
      const isData = !special && holds(b, key + 1, i - 1, 'data');
      i = ws(b, i);
      if (b[i] !== 0x3a) return undefined;
      i = ws(b, i + 1);
      if (isData && b[i] === LIST_OPEN) {
        if (data !== null) return undefined; // two arrays named data: parsed whole
        data = { top, start: i, end: 0, pieces: [] };
        i = resources(b, i, reader, data.pieces);
        data.end = i;
      } else i = valueEnd(b, i);
      if (i < 0) return undefined;
      i = ws(b, i);
      if (b[i] !== 0x2c) break;
      i = ws(b, i + 1);
    }
    if (b[i] !== CLOSE) return undefined;
  }
  return data !== null && ws(b, i + 1) === b.length ? data : undefined;
}

/** The elements of `data` (at `[`), each an object: where each starts and ends, and whether `reader` took it. */
function resources(b: Buffer, i: number, reader: PageReader | null, pieces: number[]): number {
  i = ws(b, i + 1);
  if (b[i] === LIST_CLOSE) return i + 1;
  for (;;) {
    const start = i;
    if (b[i] !== OPEN) return -1;
    let end = reader === null ? -1 : reader.scan(b, i, pieces.length / 3);
    const taken = end >= 0;
    if (!taken) end = structureEnd(b, start);
    if (end < 0) return -1;
    pieces.push(start, end, taken ? 1 : 0);
    i = ws(b, end);
    if (b[i] !== 0x2c) break;
    i = ws(b, i + 1);
  }
  return b[i] === LIST_CLOSE ? i + 1 : -1;
}

/** The primary resources of a page, parsed (or written by a lane) as they are iterated, each time. */
export class LeanResources implements Iterable<Resource> {
  constructor(
    /** The page as sent. */
    private readonly body: Buffer,
    /** Per resource: where it starts and ends, and 1 where `reader` took it. */
    private readonly pieces: readonly number[],
    /** The lane's reader of this page, or null. */
    readonly reader: PageReader | null = null,
    /** For a page cut quickly: where its resources are, read byte by byte (undefined: not a document read so). */
    private readonly reread: (() => number[] | undefined) | null = null,
  ) {}

  [Symbol.iterator](): Iterator<Resource> {
    return this.read(null);
  }

  /**
   * The resources in order, each as `write` makes it (resource `index`, its bytes [start, end), and whether the reader
   * read it as the page was read), or parsed where `write` gives undefined (or is null).
   */
  *read<T>(write: LaneWrite<T> | null): Generator<Resource | T> {
    const body = this.body;
    let pieces = this.pieces;
    let reread = this.reread;
    for (let i = 0; i < pieces.length; i += 3) {
      const written = write ? write(i / 3, body, pieces[i] as number, pieces[i + 1] as number, pieces[i + 2] === 1) : undefined;
      if (written !== undefined) {
        yield written;
        continue;
      }
      const resource = parsePiece(body.toString('latin1', pieces[i], pieces[i + 1]));
      if (resource === undefined) {
        // The pieces before were whole elements, so the page read byte by byte has them at the same indexes.
        const again = reread?.();
        reread = null;
        if (again !== undefined && again.length > i) {
          pieces = again;
          i -= 3;
          continue;
        }
        yield* this.plain().slice(i / 3);
        return;
      }
      yield resource;
    }
  }

  /**
   * The resources as sent. Reached only when a piece is not one value; the pieces before it were whole elements,
   * so the plain array continues where they end. A body whose text is not JSON past its first resources fails here,
   * after those resources were used; no STATE covers a page before it is all written.
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
