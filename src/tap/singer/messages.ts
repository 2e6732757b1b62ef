// Singer messages on stdout: one JSON object per line, buffered, with backpressure and EPIPE detection.
import type { Writable } from 'node:stream';

export type JsonSchema = Record<string, unknown>;
export type SingerRecord = Record<string, unknown>;

export interface SchemaMessage {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  bookmark_properties?: string[];
}
export interface RecordMessage {
  type: 'RECORD';
  stream: string;
  /** The Singer table version the record belongs to (versions.ts); absent on streams without versions. */
  version?: number;
  record: SingerRecord;
  time_extracted: string;
}
export interface StateMessage {
  type: 'STATE';
  value: unknown;
}
/** A versioning target keeps, from here on, only the stream's rows of this version. */
export interface ActivateVersionMessage {
  type: 'ACTIVATE_VERSION';
  stream: string;
  version: number;
}
export type SingerMessage = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage;

/** Raised when stdout is gone (the target exited): the run must stop at once. */
export class OutputClosedError extends Error {
  override readonly name: string = 'OutputClosedError';
}

/** Output leaves in chunks of about this size (fewer, larger writes); a STATE flushes at once. */
const CHUNK_BYTES = 256 * 1024;
/**
 * Messages are joined as text and copied into the chunk this many UTF-16 units at a time: a Buffer.write for each
 * piece of each RECORD (three per record) cost more in calls than in copying.
 */
const PENDING_UNITS = 32 * 1024;

export class MessageWriter {
  private chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private used = 0;
  /** Messages not yet copied into the chunk (PENDING_UNITS). */
  private pending = '';
  private closedError: Error | null = null;
  /** One wait for `drain`, shared by every writer held up meanwhile (a burst of pages must not add listeners each). */
  private drained: Promise<void> | null = null;
  /** The start of each stream's RECORD line, `{"type":"RECORD","stream":"<name>","record":` (with `"version":N,` before `"record"`). */
  private readonly recordPrefix = new Map<string, string>();
  /** The version each stream's records carry (setVersion). */
  private readonly versions = new Map<string, number>();
  /** The end of a RECORD line for the last extraction time seen, `,"time_extracted":"..."}` and a newline. */
  private recordSuffix = { time: '', text: '' };
  /** Counts per stream, for the end-of-run summary. */
  readonly recordCounts = new Map<string, number>();

  constructor(private readonly out: Writable) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      this.closedError = new OutputClosedError(`stdout closed (${err.code ?? err.message}): the target stopped reading`);
    });
  }

  async schema(message: Omit<SchemaMessage, 'type'>): Promise<void> {
    await this.append(`${JSON.stringify({ type: 'SCHEMA', ...message })}\n`);
  }

  async record(stream: string, record: SingerRecord, timeExtracted: string): Promise<void> {
    await this.recordNow(stream, record, timeExtracted);
  }

  /**
   * Buffers one RECORD: the bytes JSON.stringify would give the RecordMessage, without building it. Returns a
   * promise only when the caller must wait (stdout is full), so a page's records go out without a hop each.
   */
  recordNow(stream: string, record: SingerRecord, timeExtracted: string): Promise<void> | undefined {
    return this.recordJson(stream, JSON.stringify(record), timeExtracted);
  }

  /** recordNow of a record given as its JSON text. */
  recordJson(stream: string, json: string, timeExtracted: string): Promise<void> | undefined {
    this.recordCounts.set(stream, (this.recordCounts.get(stream) ?? 0) + 1);
    let prefix = this.recordPrefix.get(stream);
    if (prefix === undefined) {
      const version = this.versions.get(stream);
      prefix = `{"type":"RECORD","stream":${JSON.stringify(stream)},${version === undefined ? '' : `"version":${version},`}"record":`;
      this.recordPrefix.set(stream, prefix);
    }
    if (this.recordSuffix.time !== timeExtracted) {
      this.recordSuffix = { time: timeExtracted, text: `,"time_extracted":${JSON.stringify(timeExtracted)}}\n` };
    }
    return this.append(prefix + json + this.recordSuffix.text);
  }

  /** From now on the stream's records carry `version` (null: no version). */
  setVersion(stream: string, version: number | null): void {
    if (version === null) this.versions.delete(stream);
    else this.versions.set(stream, version);
    this.recordPrefix.delete(stream);
  }

  async activateVersion(stream: string, version: number): Promise<void> {
    await this.append(`${JSON.stringify({ type: 'ACTIVATE_VERSION', stream, version } satisfies ActivateVersionMessage)}\n`);
  }

  /** One RECORD built as a message (rare ones, e.g. deleted records, whose version differs from the stream's). */
  async recordMessage(message: Omit<RecordMessage, 'type'>): Promise<void> {
    this.recordCounts.set(message.stream, (this.recordCounts.get(message.stream) ?? 0) + 1);
    const { stream, version, record, time_extracted } = message;
    await this.append(`${JSON.stringify({ type: 'RECORD', stream, ...(version === undefined ? {} : { version }), record, time_extracted } satisfies RecordMessage)}\n`);
  }

  /** STATE goes out right away, after every record written before it. */
  async state(value: unknown): Promise<void> {
    await this.append(`${JSON.stringify({ type: 'STATE', value } satisfies StateMessage)}\n`);
    await this.flush();
  }

  /**
   * The last message of a stopped run: the STATE, then everything buffered is handed to stdout, and the writer
   * refuses any later message (a page still being written, a STATE, an ACTIVATE_VERSION), so this STATE is the
   * last line. Resolves once stdout has taken every byte, or after `timeoutMs`.
   */
  async finalState(value: unknown, timeoutMs: number): Promise<void> {
    if (this.closedError) return;
    // Handed to stdout at once, whatever its backpressure: stdout keeps the bytes in order until they are out.
    void this.flushNow()?.catch(() => undefined);
    this.out.write(`${JSON.stringify({ type: 'STATE', value } satisfies StateMessage)}\n`);
    this.closedError = new OutputClosedError('the run is stopping: no more output');
    if (this.out.writableLength === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.out.once('drain', resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /** Writes what is buffered; waits for `drain` when the pipe is full. */
  async flush(): Promise<void> {
    await this.flushNow();
  }

  /** Takes one message (newline included); copies what is pending into the chunk once there is enough of it. */
  private append(message: string): Promise<void> | undefined {
    if (this.closedError) throw this.closedError;
    this.pending += message;
    return this.pending.length >= PENDING_UNITS ? this.copyPending() : undefined;
  }

  /** Copies the pending text into the chunk, handing the chunk to stdout when it is full or the text does not fit. */
  private copyPending(): Promise<void> | undefined {
    const text = this.pending;
    this.pending = '';
    // A UTF-8 byte count is needed only when the text might not fit (at most 3 bytes per UTF-16 unit).
    const fits = (room: number): boolean => text.length * 3 <= room || Buffer.byteLength(text) <= room;
    if (!fits(this.chunk.length - this.used)) {
      const handed = this.handOver();
      // More than a whole chunk (a large STATE or SCHEMA) goes out on its own.
      if (!fits(this.chunk.length)) return both(handed, this.write(text));
      this.used = this.chunk.write(text, 0);
      return handed;
    }
    this.used += this.chunk.write(text, this.used);
    return this.used >= CHUNK_BYTES - 1024 ? this.handOver() : undefined;
  }

  /** Everything buffered, handed to stdout. */
  private flushNow(): Promise<void> | undefined {
    if (this.closedError) throw this.closedError;
    return both(this.pending.length > 0 ? this.copyPending() : undefined, this.handOver());
  }

  /** The chunk handed to stdout; the next messages go into a fresh one. */
  private handOver(): Promise<void> | undefined {
    if (this.used === 0) return undefined;
    const full = this.chunk.subarray(0, this.used);
    // The stream keeps the written bytes until they are out, so the next messages go into a fresh chunk.
    this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.used = 0;
    return this.write(full);
  }

  /** Hands data to stdout; a promise that settles on `drain` when the pipe is full, else undefined. */
  private write(data: Buffer | string): Promise<void> | undefined {
    const ok = this.out.write(data);
    if (this.closedError) throw this.closedError;
    if (ok) return undefined;
    return this.waitForDrain().then(() => {
      if (this.closedError) throw this.closedError;
    });
  }

  private waitForDrain(): Promise<void> {
    this.drained ??= new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onError = (): void => {
        cleanup();
        reject(this.closedError ?? new OutputClosedError('stdout closed'));
      };
      const onClose = (): void => {
        cleanup();
        reject(this.closedError ?? new OutputClosedError('stdout closed: the target stopped reading'));
      };
      const cleanup = (): void => {
        this.drained = null;
        this.out.off('drain', onDrain);
        this.out.off('error', onError);
        this.out.off('close', onClose);
      };
      this.out.on('drain', onDrain);
      this.out.on('error', onError);
      this.out.on('close', onClose);
    });
    return this.drained;
  }
}

/** Both waits (each a promise only where stdout is full), as one. */
function both(a: Promise<void> | undefined, b: Promise<void> | undefined): Promise<void> | undefined {
  if (!a) return b;
  if (!b) return a;
  return Promise.all([a, b]).then(() => undefined);
}
