// The paths whose string values canonicalJson keeps while it reads a value (json-canonical.ts): a key of the
// top-level object, or a key of an object it holds, compared as bytes (no string is made of the keys it passes).

/** A watched key (its UTF-8 bytes): the slot its string value goes to (or -1), and the keys watched in its object. */
export interface WatchKey {
  bytes: Buffer;
  slot: number;
  inner: WatchKey[];
}

/** Paths whose string values are kept: a key of the top-level object, or one of an object it holds (watch()). */
export interface Watch {
  keys: WatchKey[];
  slots: number;
}

/** A Watch of `paths` (one or two keys each), path i's value going to slot i. */
export function watch(paths: ReadonlyArray<readonly string[]>): Watch {
  const keys: WatchKey[] = [];
  const entry = (list: WatchKey[], key: string): WatchKey => {
    const bytes = Buffer.from(key);
    let found = list.find((k) => k.bytes.equals(bytes));
    if (found === undefined) list.push((found = { bytes, slot: -1, inner: [] }));
    return found;
  };
  paths.forEach((path, slot) => {
    const [top, inner, ...rest] = path;
    if (top === undefined || rest.length > 0) throw new Error(`a watched path has one or two keys: ${path.join('.')}`);
    const outer = entry(keys, top);
    if (inner === undefined) outer.slot = slot;
    else entry(outer.inner, inner).slot = slot;
  });
  return { keys, slots: paths.length };
}

/** The watched key whose bytes are [start, end), if any. */
export function watched(keys: readonly WatchKey[], b: Buffer, start: number, end: number): WatchKey | undefined {
  for (const key of keys) {
    const bytes = key.bytes;
    if (bytes.length !== end - start) continue;
    let k = 0;
    while (k < bytes.length && bytes[k] === b[start + k]) k++;
    if (k === bytes.length) return key;
  }
  return undefined;
}

