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
  record: SingerRecord;
  time_extracted: string;
}
export interface StateMessage {
  type: 'STATE';
  value: unknown;
}
export type SingerMessage = SchemaMessage | RecordMessage | StateMessage;

/** Raised when stdout is gone (the target exited): the run must stop at once. */
export class OutputClosedError extends Error {
  override readonly name: string = 'OutputClosedError';
}

const FLUSH_BYTES = 64 * 1024;

export class MessageWriter {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private closedError: Error | null = null;
  /** Counts per stream, for the end-of-run summary. */
  readonly recordCounts = new Map<string, number>();

  constructor(private readonly out: Writable) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      this.closedError = new OutputClosedError(`stdout closed (${err.code ?? err.message}): the target stopped reading`);
    });
  }

  async schema(message: Omit<SchemaMessage, 'type'>): Promise<void> {
    await this.push({ type: 'SCHEMA', ...message });
  }

  async record(stream: string, record: SingerRecord, timeExtracted: string): Promise<void> {
    this.recordCounts.set(stream, (this.recordCounts.get(stream) ?? 0) + 1);
    await this.push({ type: 'RECORD', stream, record, time_extracted: timeExtracted });
  }

  /** STATE goes out right away, after every record written before it. */
  async state(value: unknown): Promise<void> {
    await this.push({ type: 'STATE', value });
    await this.flush();
  }

  private async push(message: SingerMessage): Promise<void> {
    if (this.closedError) throw this.closedError;
    const line = `${JSON.stringify(message)}\n`;
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= FLUSH_BYTES) await this.flush();
  }

  /** Writes what is buffered; waits for `drain` when the pipe is full. */
  async flush(): Promise<void> {
    if (this.closedError) throw this.closedError;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bufferedBytes = 0;
    const ok = this.out.write(chunk);
    if (!ok) await this.waitForDrain();
    if (this.closedError) throw this.closedError;
  }

  private waitForDrain(): Promise<void> {
    return new Promise((resolve, reject) => {
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
        this.out.off('drain', onDrain);
        this.out.off('error', onError);
        this.out.off('close', onClose);
      };
      this.out.on('drain', onDrain);
      this.out.on('error', onError);
      this.out.on('close', onClose);
    });
  }
}
