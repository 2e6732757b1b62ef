// Running async work side by side with a bound.

/** Runs `fn` over every item (an array or an async iterable), at most `limit` at once; the first failure wins. */
export async function forEachConcurrent<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const pool = new TaskPool(limit);
  let index = 0;
  for await (const item of items as AsyncIterable<T>) {
    if (pool.failed) break;
    const i = index++;
    await pool.whenBelowLimit();
    pool.spawn(() => fn(item, i));
  }
  await pool.idle();
}

/** Tasks that may spawn more tasks; at most `limit` run at once. `idle()` rejects with the first failure. */
export class TaskPool {
  private running = 0;
  private readonly queue: Array<() => Promise<void>> = [];
  private failure: { error: unknown } | null = null;
  private waiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get failed(): boolean {
    return this.failure !== null;
  }

  spawn(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  /** Resolves when a new task would start at once. */
  async whenBelowLimit(): Promise<void> {
    while (this.running + this.queue.length >= this.limit && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
  }

  async idle(): Promise<void> {
    while ((this.running > 0 || this.queue.length > 0) && !(this.failure && this.running === 0)) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
    if (this.failure) throw this.failure.error;
  }

  private pump(): void {
    while (this.running < this.limit && this.queue.length > 0 && !this.failure) {
      const task = this.queue.shift() as () => Promise<void>;
      this.running++;
      task()
        .catch((error: unknown) => {
          this.failure ??= { error };
        })
        .finally(() => {
          this.running--;
          this.pump();
          const waiters = this.waiters;
          this.waiters = [];
          for (const w of waiters) w();
        });
    }
  }
}

/** `fn` made safe to call more than once: only the first call runs it (a release handed to a caller). */
export function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
