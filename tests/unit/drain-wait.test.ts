// A burst of pages all waiting for a full stdout: one `drain` listener between them (Node warns past ten, and a
// listener per waiting page is memory held for nothing), and every one of them goes on once stdout drains.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { MessageWriter } from '../../src/tap/singer/messages.js';

describe('MessageWriter waiting for drain', () => {
  it('shares one drain listener among 40 waiting writers, and all of them resume in order', async () => {
    const held: Array<() => void> = [];
    const bytes: Buffer[] = [];
    const out = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, done): void {
        bytes.push(chunk);
        held.push(done);
      },
    });
    const writer = new MessageWriter(out);
    const big = { id: 'x', text: 'y'.repeat(300 * 1024) };
    const waits = Array.from({ length: 40 }, (_, i) => writer.recordNow('s', { ...big, id: `r${i}` }, '2026-01-01T00:00:00.000Z'));
    assert.ok(waits.filter(Boolean).length >= 39, 'every writer after the first finds stdout full');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(out.listenerCount('drain'), 1);
    let resumed = 0;
    const all = Promise.all(waits.map((w) => w?.then(() => resumed++)));
    while (held.length > 0) held.shift()?.();
    await all;
    assert.equal(resumed, waits.filter(Boolean).length);
    assert.equal(out.listenerCount('drain'), 0);
    const ids = Buffer.concat(bytes).toString('utf8').trim().split('\n').map((line) => (JSON.parse(line) as { record: { id: string } }).record.id);
    assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => `r${i}`));
  });
});
