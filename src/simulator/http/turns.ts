// Work that must not hold up the event loop's timers: one piece per event-loop turn, in the order asked.

/**
 * Hands out event-loop turns one after another. A caller awaits its turn and then does its work at once; the
 * next turn comes only after the loop has been round once more (timers, I/O), so whatever fell due meanwhile
 * runs between two pieces of work, not after all of them.
 */
export class TurnQueue {
  private last: Promise<void> = Promise.resolve();

  /** Resolves in an event-loop turn of its own, after the turns asked for before. */
  next(): Promise<void> {
    const turn = this.last.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.last = turn;
    return turn;
  }
}
