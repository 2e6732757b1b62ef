// Walks events in (second, row) order — ascending or descending — merging the sorted base columns with
// the overlay, starting strictly after a keyset position and staying inside [low, high] seconds.

export interface EventOrder {
  readonly baseCount: number;
  readonly overlayOrder: readonly number[];
  baseSec(index: number): number;
  secOf(row: number): number;
}

export interface Position {
  sec: number;
  row: number;
}

/** First base index whose second is >= sec. */
function firstAtOrAfter(order: EventOrder, sec: number): number {
  let low = 0;
  let high = order.baseCount;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (order.baseSec(mid) < sec) low = mid + 1;
    else high = mid;
  }
  return low;
}

function before(a: Position, b: Position): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.row < b.row);
}

/** First base index strictly after the position (base rows are their own index). */
function baseStartAfter(order: EventOrder, after: Position): number {
  const low = firstAtOrAfter(order, after.sec);
  const high = firstAtOrAfter(order, after.sec + 1);
  if (after.row < low) return low;
  return after.row < high ? after.row + 1 : high;
}

export function* scanEvents(order: EventOrder, descending: boolean, after: Position | null, bounds: { low: number; high: number }): Generator<number> {
  if (descending) {
    yield* scanDescending(order, after, bounds);
    return;
  }
  let base = after ? baseStartAfter(order, after) : 0;
  if (Number.isFinite(bounds.low)) base = Math.max(base, firstAtOrAfter(order, bounds.low));
  const overlay = order.overlayOrder.filter((row) => !after || before(after, { sec: order.secOf(row), row }));
  let next = 0;
  for (;;) {
    const fromBase = base < order.baseCount ? { sec: order.baseSec(base), row: base } : null;
    const overlayRow = overlay[next];
    const fromOverlay = overlayRow === undefined ? null : { sec: order.secOf(overlayRow), row: overlayRow };
    const pick = !fromOverlay || (fromBase && before(fromBase, fromOverlay)) ? fromBase : fromOverlay;
    if (!pick || pick.sec > bounds.high) return;
    if (pick === fromBase) base++;
    else next++;
    if (pick.sec >= bounds.low) yield pick.row;
  }
}

function* scanDescending(order: EventOrder, after: Position | null, bounds: { low: number; high: number }): Generator<number> {
  let base = (after ? baseStartAfter(order, { sec: after.sec, row: after.row - 1 }) : order.baseCount) - 1;
  if (after && after.row >= order.baseCount) base = firstAtOrAfter(order, after.sec + 1) - 1;
  if (Number.isFinite(bounds.high)) base = Math.min(base, firstAtOrAfter(order, bounds.high + 1) - 1);
  const overlay = order.overlayOrder.filter((row) => !after || before({ sec: order.secOf(row), row }, after)).reverse();
  let next = 0;
  for (;;) {
    const fromBase = base >= 0 ? { sec: order.baseSec(base), row: base } : null;
    const overlayRow = overlay[next];
    const fromOverlay = overlayRow === undefined ? null : { sec: order.secOf(overlayRow), row: overlayRow };
    const pick = !fromOverlay || (fromBase && before(fromOverlay, fromBase)) ? fromBase : fromOverlay;
    if (!pick || pick.sec < bounds.low) return;
    if (pick === fromBase) base--;
    else next++;
    if (pick.sec <= bounds.high) yield pick.row;
  }
}
