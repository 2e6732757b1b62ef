// Streams ground truth as JSON lines to a writable (file or HTTP response), honouring backpressure.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { GROUND_TRUTH_STREAMS, groundTruthRecords } from './ground-truth.js';
import type { World } from './world/world.js';

const LINES_PER_WRITE = 256;

/** Waits for `drain`, or fails when the output closes first (e.g. the HTTP client went away). */
async function drained(out: Writable): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
  if (out.destroyed) throw new Error('ground truth output closed early');
}

export async function writeLines(world: World, stream: string, asOfMicros: number, out: Writable): Promise<number> {
  let count = 0;
  let chunk: string[] = [];
  for (const record of groundTruthRecords(world, stream, asOfMicros)) {
    chunk.push(JSON.stringify(record));
    count++;
    if (chunk.length >= LINES_PER_WRITE) {
      if (!out.write(`${chunk.join('\n')}\n`)) await drained(out);
      chunk = [];
    }
  }
  if (chunk.length > 0) out.write(`${chunk.join('\n')}\n`);
  return count;
}

/** Writes DIR/<stream>.jsonl for every stream; returns record counts per stream. */
export async function writeGroundTruthDir(world: World, dir: string, asOfMicros: number): Promise<Record<string, number>> {
  await mkdir(dir, { recursive: true });
  const counts: Record<string, number> = {};
  for (const stream of GROUND_TRUTH_STREAMS) {
    const file = createWriteStream(join(dir, `${stream}.jsonl`));
    counts[stream] = await writeLines(world, stream, asOfMicros, file);
    file.end();
    await once(file, 'finish');
  }
  return counts;
}
