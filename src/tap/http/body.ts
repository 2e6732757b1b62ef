// Response bodies: bytes -> text -> JSON:API document, for as little CPU as the exact result allows. A page of
// events is about 1 MB; its decoding and JSON.parse are the largest costs of a record.
//
// Two savings, each checked so that no value of the data can change:
// - The `links` of resources and relationships (about half of an event page: `self` and `related` URLs the tap
//   never reads) are replaced by a number before JSON.parse, which then has a third less to do and leaves far
//   less garbage.
// - A UTF-8 page is read as Latin-1 (a plain copy into a one-byte string) with each run of non-ASCII bytes
//   written as JSON `\uXXXX` escapes of its UTF-8 decoding: JSON.parse gives the same strings, and neither V8's
//   UTF-8 decoder (byte by byte) nor a two-byte copy of the whole page is needed.
import { isAscii, isUtf8, transcode } from 'node:buffer';
import { randomInt } from 'node:crypto';

/** The body as text (UTF-8, without a byte-order mark), whatever the status. */
export function decodeBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return body;
  const text = isAscii(body) ? body.toString('latin1') : isUtf8(body) ? utf16Of(body) : body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Valid UTF-8 as text by way of UTF-16 bytes: ICU's converter (transcode) and a copy take about a third of the
 * time of `toString('utf8')` (V8's decoder). Valid UTF-8 has one decoding, so the text is the same; invalid UTF-8
 * (which transcode refuses) still goes through toString, which replaces the bad bytes as before.
 */
function utf16Of(body: Buffer): string {
  try {
    return transcode(body, 'utf8', 'ucs2').toString('ucs2');
  } catch {
    return body.toString('utf8'); // a Node built without ICU
  }
}

/**
 * A `links` member whose value is `{"self":"<url>"}` or `{"self":"<url>","related":"<url>"}`, written compactly.
 *
 * Why a match can only be a whole `"links": {...}` member of the document: in valid JSON a `"` inside a string is
 * always escaped (`\"`), so the `"` after `links` (preceded by `s`) and every `"` after it in the match are
 * string delimiters; the URLs contain no `"` or `\`. So `:{...}` is a colon and a complete object value, and the
 * text before the colon is the key's own text, kept byte for byte. Replacing the object by a number keeps the
 * document valid and changes that one member's value, nothing else.
 */
export const LINKS_SOURCE = '"links":\\{"self":"[^"\\\\]*"(?:,"related":"[^"\\\\]*")?\\}';
const LINKS = new RegExp(LINKS_SOURCE, 'g');
/** The same, or a run of non-ASCII bytes read as Latin-1 (one regex pass over a UTF-8 page). */
const LINKS_OR_HIGH = new RegExp(`${LINKS_SOURCE}|[\\x80-\\xff]+`, 'g');

/**
 * What a replaced `links` becomes: a number drawn once per process, so that the API cannot send it at one of the
 * places counted below by chance (JSON:API requires `links` to be an object in any case). Below 2^30, so that V8
 * keeps it as a small integer rather than allocating a number per member.
 */
export const MARK = 100_000_000 + randomInt(900_000_000);
const REPLACEMENT = `"links":${MARK}`;

interface Node {
  links?: unknown;
  relationships?: Record<string, { links?: unknown } | null>;
}

/** The replaced `links` the tap expects: the document's, each resource's and each of its relationships'. */
function structuralMarks(doc: { links?: unknown; data?: unknown; included?: unknown }): number {
  let n = doc.links === MARK ? 1 : 0;
  for (const list of [doc.data, doc.included]) {
    const resources = Array.isArray(list) ? (list as unknown[]) : [list];
    for (const resource of resources) {
      if (typeof resource !== 'object' || resource === null) continue;
      const node = resource as Node;
      if (node.links === MARK) n++;
      const relationships = node.relationships;
      if (typeof relationships !== 'object' || relationships === null) continue;
      for (const name in relationships) if (relationships[name]?.links === MARK) n++;
    }
  }
  return n;
}

/** The lean text parsed, if every replaced `links` is at one of the places counted; else undefined. */
function parseChecked(lean: string, replaced: number): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(lean);
  } catch {
    return undefined; // not JSON: the replacements keep valid JSON valid, so the caller's parse reports the error
  }
  return typeof doc === 'object' && doc !== null && structuralMarks(doc) === replaced ? doc : undefined;
}

/**
 * The parsed document, as JSON.parse(text) gives it except that the `links` objects of the document, its resources
 * and their relationships may be replaced by a number (nothing reads them but the document's `links.next`: a
 * document's `links` is replaced only without a `next`, and the number has no `next` either). Every replacement
 * must be found at one of those places: otherwise one was inside a resource's own data (e.g. an event property
 * named `links` that mimics the API), and the page is parsed again as it came, so no value of the data changes.
 */
export function parseJsonApi(text: string): unknown {
  let replaced = 0;
  const lean = text.replace(LINKS, () => {
    replaced++;
    return REPLACEMENT;
  });
  return (replaced > 0 ? parseChecked(lean, replaced) : undefined) ?? JSON.parse(text);
}

/** Escapes of a run of non-ASCII bytes, by run (the same few characters recur on every page). */
const escapes = new Map<string, string>();
const HEX = '0123456789abcdef';

/**
 * A run of bytes >= 0x80 (read as Latin-1) as the JSON escapes of its UTF-8 decoding. In valid UTF-8 every byte of
 * a multi-byte character is >= 0x80 and ASCII bytes are characters of their own, so a run holds whole characters
 * and decodes as it does within the page. In valid JSON such bytes can only be inside strings (every token
 * outside them is ASCII), where an escape stands for the character itself.
 */
function escapeRun(run: string): string {
  let escaped = escapes.get(run);
  if (escaped !== undefined) return escaped;
  const text = Buffer.from(run, 'latin1').toString('utf8');
  escaped = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    escaped += `\\u${HEX[c >> 12]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
  }
  if (escapes.size >= 4096) escapes.clear();
  escapes.set(run, escaped);
  return escaped;
}

/** parseJsonApi of the body's text (decodeBody), read from the bytes as described at the top. */
export function parseJsonApiBody(body: Buffer): unknown {
  const ascii = isAscii(body);
  if (!ascii && !isUtf8(body)) return parseJsonApi(decodeBody(body) as string);
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  let replaced = 0;
  let afterBackslash = false;
  const lean = body.toString('latin1', bom).replace(ascii ? LINKS : LINKS_OR_HIGH, (match: string, at: number, text: string) => {
    if (match.charCodeAt(0) === 0x22) {
      replaced++;
      return REPLACEMENT;
    }
    // `\` then a non-ASCII character is an invalid escape, unless the `\` is escaped itself: an escape written
    // after it could turn the first into a valid `\`, so such a page is read the plain way.
    if (text.charCodeAt(at - 1) === 0x5c) afterBackslash = true;
    return escapeRun(match);
  });
  return (afterBackslash ? undefined : parseChecked(lean, replaced)) ?? parsePlain(body);
}

/** The body as sent, parsed: JSON.parse of decodeBody. */
export function parsePlain(body: Buffer): unknown {
  return JSON.parse(decodeBody(body) as string);
}
