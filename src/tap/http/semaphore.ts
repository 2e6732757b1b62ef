// A counting semaphore for requests and page slots (the client's requests in flight, the sync's pages being
// written), with the smoothed time a slot is held.
import { once } from '../shared/concurrency.js';

/** Weight of the newest hold in the smoothed hold time (an EWMA over about the last ten). */
const HOLD_WEIGHT = 0.2;

/** A counting semaphore: at most `limit` holders at once. The limit may change while it is held (a lower one
 * takes effect as holders release); waiters are served in order. It keeps the smoothed time a slot is held. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private hold = 0;

  constructor(
    private current: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get limit(): number {
    return this.current;
  }

  /** True when every slot is taken (more holders would start at once if the limit were higher). */
  get saturated(): boolean {
    return this.active >= this.current;
  }

  /** Holders and callers waiting for a slot. */
  get demand(): number {
    return this.active + this.waiting.length;
  }

  /** How long a slot is held, from its grant to its release (ms, smoothed; 0 before the first release). */
  get holdMs(): number {
    return this.hold;
  }

  setLimit(limit: number): void {
    this.current = limit;
    this.pump();
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.current || this.waiting.length > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    const granted = this.now();
    return once(() => {
      const held = this.now() - granted;
      this.hold = this.hold === 0 ? held : this.hold + HOLD_WEIGHT * (held - this.hold);
      this.active--;
      this.pump();
    });
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private pump(): void {
    while (this.active < this.current && this.waiting.length > 0) {
      this.active++;
      (this.waiting.shift() as () => void)();
    }
  }
}
