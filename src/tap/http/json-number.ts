// JSON numbers read from their bytes: where one ends, and whether JavaScript writes it back as it is (then its text
// is what JSON.stringify(JSON.parse(text)) gives, and can be copied).

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** The end of the JSON number at `i` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`, before `end`), or -1. No byte at or past `end` is read. */
export function numberEnd(b: Buffer, i: number, end: number): number {
  if (i < end && b[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i])) while (i < end && isDigit(b[i])) i++;
  else return -1;
  if (i < end && b[i] === 0x2e) {
    if (++i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    if (i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  return i;
}

/**
 * Whether JavaScript writes the number [start, end) back as it is: no exponent, no `-0`, no trailing 0 in a
 * fraction, and at most 15 significant digits: an integer of up to 15 digits, up to 6 before a fraction of up to 8,
 * or `0.` and up to 5 zeros before up to 10 digits (JavaScript writes 1e-7 and 1e21 with exponents).
 */
export function writtenBack(b: Buffer, start: number, end: number): boolean {
  const integer = b[start] === 0x2d ? start + 1 : start;
  let integerEnd = integer;
  while (integerEnd < end && isDigit(b[integerEnd])) integerEnd++;
  const whole = integerEnd - integer;
  const zero = b[integer] === 0x30;
  if (integerEnd === end) return !(zero && integer > start) && whole <= 15;
  if (b[integerEnd] !== 0x2e) return false;
  let fractionEnd = integerEnd + 1;
  while (fractionEnd < end && isDigit(b[fractionEnd])) fractionEnd++;
  const fraction = fractionEnd - integerEnd - 1;
  if (fractionEnd !== end || b[fractionEnd - 1] === 0x30) return false;
  if (!zero) return whole <= 6 && fraction <= 8;
  let leading = 0;
  while (b[integerEnd + 1 + leading] === 0x30) leading++;
  return leading <= 5 && fraction - leading <= 10;
}
