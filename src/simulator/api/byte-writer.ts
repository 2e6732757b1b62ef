// A response body written as UTF-8 bytes piece by piece. A page of 1,000 events is about 1 MB of JSON text;
// joining its resources into one string and then encoding that (a text with one em dash anywhere is stored
// two bytes a character) costs more than encoding each resource into one buffer as it is rendered.

const FIRST_SIZE = 64 * 1024;

export class ByteWriter {
  private buffer: Buffer;
  private used = 0;

  /** `expected`: about how many bytes will be written (the last page of the same kind), so the buffer seldom grows. */
  constructor(expected = FIRST_SIZE) {
    this.buffer = Buffer.allocUnsafe(Math.max(1024, Math.ceil(expected * 1.125)));
  }

  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = text.length * 3;
    if (this.used + most > this.buffer.length) this.grow(this.used + most);
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }

  /** The bytes written (a view of the buffer: the writer is done with). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }
}
