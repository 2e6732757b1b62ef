// The quick cut of a page in the layout the simulator sends (lean-page.ts tries it first, as it costs a few needle
// searches rather than a read of every byte): `{"data":[{...,"links":{"self":"<url>"}},{...}],"links":...}`, each
// resource ending with its own `links`. Cutting `data` after those yields each resource's text. Why that is exact,
// provided each piece reads on its own as exactly one value (lean-page.ts makes sure of that, or parses the rest):
// - A cut is made only after a `links` member of the form body.ts replaces (LINKS), then `}` and `,{` or `]`.
//   From the `"` after `links` on, every `"` of it is unescaped (preceded by a letter, `{`, `:` or a URL character,
//   never `\`), and after `links"` the text is outside any string (whether the first `"` opened a key or closed a
//   string that ended in `links`). So the `}` after it closes an object, and the `,` or `]` after that is outside
//   any string too: each piece starts where a value starts in the whole text, and reads as the same tokens alone.
// - A piece starting at the start of an element of `data` that is exactly one complete value is exactly that
//   element. A cut inside a resource (its own data holding such links, then `,{` in an array of objects) makes a
//   piece that is not one value. A cut that ends `data` too early leaves the rest of the document with more closing
//   brackets than opening ones, so the rest does not parse. A cut past the end of `data` (a resource that does not
//   end with its own links, then `included`) could leave a rest that parses without the members it ran over: the
//   end must be followed by the document's `links` (as Klaviyo writes it), and no `],"<top-level member>":` may come
//   before it.
// Text not laid out this way (whitespace, `data` not first, a resource without its own `links`) is not cut here.
import { LINKS_SOURCE } from './body.js';

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
const QUOTE = 0x22;
const OPEN = 0x7b;
const END = 0x5d;
/**
 * Candidate ends that are not a resource's end, after which a page is taken to be in another layout (resources that
 * end otherwise, such as with a `meta` a newer revision adds): read byte by byte rather than cut to its end first.
 * In the simulator's layout a miss is data that looks like an end (an array of objects in a property), a few a page
 * at most.
 */
const MAX_MISSES = 16;

/**
 * Where each resource of `data` starts and ends (pairs), and where `data` starts and ends (its `[` and after its
 * `]`), in the simulator's layout; undefined for any other.
 */
export function cutKlaviyoLayout(body: Buffer): { pieces: number[]; start: number; end: number } | undefined {
  // The page stays bytes: a Latin-1 string of it (1 MB of events) would land in V8's old generation with every
  // page and bring a full collection every few pages; the resources' strings are small and die young.
  if (body.toString('latin1', 0, HEAD.length) !== HEAD) return undefined;
  const pieces: number[] = [];
  let at = HEAD.length;
  let end = body[at] === END ? at : -1;
  // Where `data` ends, as Klaviyo writes it (its `links` follow): the quote that ends the last resource's links.
  const last = end < 0 ? body.lastIndexOf(DATA_END) : end;
  let misses = 0;
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
        if (isLast || ++misses > MAX_MISSES) return undefined;
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
  return ranToDataEnd(body, end) ? { pieces, start: HEAD.length - 1, end: end + 1 } : undefined;
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
