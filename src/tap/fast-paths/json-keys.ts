// The keys of the objects json-canonical.ts is writing (where each lies in its output), innermost object last: to
// find a key given twice in one object, which JSON.parse keeps with its last value in its first place, and which
// the canonical pass therefore cannot write by copying.

/** Start and end of each key in the output, object after object. */
let stack = new Int32Array(256);
let top = 0;

/** Where the keys of an object starting now begin (give it back to `closeObject`). */
export function openObject(): number {
  return top;
}

/** Forgets the keys of the object whose keys began at `base`. */
export function closeObject(base: number): void {
  top = base;
}

/** How many keys the object whose keys began at `base` has so far. */
export function keysSince(base: number): number {
  return (top - base) / 2;
}

/**
 * Whether the key written at [at, end) of `out` was given before in the object whose keys began at `base`; where
 * not, it is noted as one of them.
 */
export function givenBefore(out: Buffer, base: number, at: number, end: number): boolean {
  const length = end - at;
  for (let s = base; s < top; s += 2) {
    const from = stack[s] as number;
    if ((stack[s + 1] as number) - from !== length) continue;
    let k = 0;
    while (k < length && out[from + k] === out[at + k]) k++;
    if (k === length) return true;
  }
  if (top + 2 > stack.length) {
    const grown = new Int32Array(stack.length * 2);
    grown.set(stack);
    stack = grown;
  }
  stack[top++] = at;
  stack[top++] = end;
  return false;
}
