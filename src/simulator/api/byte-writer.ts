// A response body written as UTF-8 bytes piece by piece. A page of 1,000 events is about 1 MB of JSON text;
// joining its resources into one string and then encoding that (a text with one em dash anywhere is stored
// two bytes a character) costs more than encoding each resource into one buffer as it is rendered.

const FIRST_SIZE = 64 * 1024;

/**
 * Buffers of bodies already sent, for the next pages. With latency on, a page is rendered when its request
 * comes in and held until its response goes out: 100 requests in flight hold 100 MB, and V8 answers every
 * such growth of memory outside its heap with a full collection (23 in a large events backfill at 500 ms instead
 * of 2: 1.8-2.9 s of the simulator's CPU, on the two cores it shares with the tap). Buffers used again do not
 * grow it. Every buffer is at least FIRST_SIZE, so every one can go back.
 */
const spare: ArrayBuffer[] = [];
const SPARE_MOST = 256;

function takeSpare(size: number): Buffer {
  for (let i = spare.length - 1; i >= 0; i--) {
    const found = spare[i];
    if (found && found.byteLength >= size) {
      spare[i] = spare[spare.length - 1] as ArrayBuffer;
      spare.pop();
      return Buffer.from(found);
    }
  }
  return Buffer.allocUnsafe(size);
}

/** Gives back the buffer under a body `bytes()` returned, once the body is handed to the socket (not before). */
export function releaseBody(body: Buffer): void {
  if (body.byteOffset === 0 && body.buffer.byteLength >= FIRST_SIZE && spare.length < SPARE_MOST && body.buffer instanceof ArrayBuffer) spare.push(body.buffer);
}

export class ByteWriter {
  private buffer: Buffer;
  private used = 0;

  /** `expected`: about how many bytes will be written (the last page of the same kind), so the buffer seldom grows. */
  constructor(expected = FIRST_SIZE) {
    this.buffer = takeSpare(Math.max(FIRST_SIZE, Math.ceil(expected * 1.125)));
  }

  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = text.length * 3;
    if (this.used + most > this.buffer.length) this.grow(this.used + most);
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  private grow(needed: number): void {
    const next = takeSpare(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.used);
    releaseBody(this.buffer);
    this.buffer = next;
  }

  /** The bytes written (a view of the buffer: the writer is done with). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }
}
