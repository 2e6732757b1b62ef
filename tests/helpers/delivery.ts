// What a Singer target received over several runs of the tap (killed ones included), compared per stream with
// the simulator's ground truth: keys lost, keys sent with other content, keys that should not exist, and how many
// records were sent more than once.
import { canonical, type Row } from './e2e.js';

export interface StreamComparison {
  expected: number;
  /** Ground-truth keys never delivered with the ground-truth content. */
  lost: string[];
  /** Keys delivered at least once with content other than the ground truth. */
  wrong: string[];
  /** Delivered keys the ground truth does not have. */
  extra: string[];
  /** Records delivered beyond the first of their key. */
  duplicates: number;
}

interface Message {
  type?: unknown;
  stream?: unknown;
  record?: unknown;
  value?: unknown;
}

export class DeliveryLedger {
  /** stream -> key -> every canonical form delivered for that key. */
  private readonly delivered = new Map<string, Map<string, string[]>>();

  /**
   * Takes the complete stdout lines of one run: keeps its records, and returns the value of its last STATE
   * (undefined when it wrote none). A complete line that is not a Singer message throws.
   */
  take(lines: readonly string[]): { state: unknown; records: number } {
    let state: unknown;
    let records = 0;
    for (const line of lines) {
      const message = JSON.parse(line) as Message;
      if (message.type === 'STATE') state = message.value;
      else if (message.type === 'RECORD' && typeof message.stream === 'string') {
        this.add(message.stream, message.record as Row);
        records++;
      } else if (message.type !== 'SCHEMA' && message.type !== 'ACTIVATE_VERSION') throw new Error(`not a Singer message: ${line.slice(0, 200)}`);
    }
    return { state, records };
  }

  private add(stream: string, record: Row): void {
    const byKey = this.delivered.get(stream) ?? new Map<string, string[]>();
    this.delivered.set(stream, byKey);
    for (const [key, form] of canonical([record], stream)) byKey.set(key, [...(byKey.get(key) ?? []), form]);
  }

  streams(): string[] {
    return [...this.delivered.keys()];
  }

  /** Distinct keys delivered so far, over all streams. */
  distinctKeys(): number {
    return [...this.delivered.values()].reduce((sum, byKey) => sum + byKey.size, 0);
  }

  compare(stream: string, truth: Iterable<Row>): StreamComparison {
    const want = canonical(truth, stream);
    const got = this.delivered.get(stream) ?? new Map<string, string[]>();
    const lost = [...want].filter(([key, form]) => !(got.get(key) ?? []).includes(form)).map(([key]) => key);
    const wrong = [...got].filter(([key, forms]) => want.has(key) && forms.some((f) => f !== want.get(key))).map(([key]) => key);
    const extra = [...got.keys()].filter((key) => !want.has(key));
    const duplicates = [...got.values()].reduce((sum, forms) => sum + forms.length - 1, 0);
    return { expected: want.size, lost, wrong, extra, duplicates };
  }
}
