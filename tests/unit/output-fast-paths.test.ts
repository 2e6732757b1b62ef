// The shortcuts on every record's path give the answers of the general code they skip: the common datetime form
// (parsed without the regex, checked without ajv-formats) and RECORD lines (written without the message object).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isUtcDateTime, newAjv } from '../../src/tap/shared/json.js';
import { MessageWriter } from '../../src/tap/singer/messages.js';
import { toMicros } from '../../src/tap/shared/time.js';

const DATETIMES = [
  '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.123456Z', '2024-01-01T00:00:00.1234567Z',
  '2024-01-01T00:00:00.999999999Z', '2024-01-01T00:00:00.9999999999Z', '2024-01-01T00:00:00.Z', '2024-01-01T00:00:00+00:00',
  '2024-01-01T02:00:00+02:00', '2023-12-31T19:00:00-05:00', '2024-01-01T05:30:00+0530', '2024-01-01T00:00:00-00:00',
  '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2024-04-31T00:00:00Z',
  '2024-13-01T00:00:00Z', '2024-00-10T00:00:00Z', '2024-01-00T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T23:60:00Z',
  '2016-12-31T23:59:60Z', '2024-01-01T00:00:61Z', '0099-01-01T00:00:00Z', '0004-02-29T00:00:00Z', '2024-01-01t00:00:00Z',
  '2024-01-01 00:00:00Z', '2024-01-01T00:00:00z', '2024-01-01T00:00:00', '2024-01-01T00:00:00+05:3x', '2024-01-01T00:00:00*05:30',
  '2024-1-01T00:00:00Z', '2024-01-01T0a:00:00Z', '2024-01-01T00:00:00.12a4Z', '2024-01-01T00:00:00+00:00 ', 'x024-01-01T00:00:00Z',
];

describe('fast paths on the record path', () => {
  describe('toMicros of the common form equals the general parser (a leading space takes that one)', () => {
    for (const value of DATETIMES) {
      it(JSON.stringify(value), () => assert.equal(toMicros(value), toMicros(` ${value}`)));
    }
  });

  describe('date-time check: accepted by the shortcut only where ajv-formats accepts, and the same verdict overall', () => {
    const original = fullFormats['date-time'] as { validate: (s: string) => boolean };
    const validate = newAjv().compile({ type: 'string', format: 'date-time' });
    for (const value of DATETIMES) {
      it(JSON.stringify(value), () => {
        if (isUtcDateTime(value)) assert.equal(original.validate(value), true);
        assert.equal(validate(value), original.validate(value));
      });
    }
  });

  describe('MessageWriter', () => {
    async function written(write: (w: MessageWriter) => Promise<void>, highWaterMark = 16 * 1024): Promise<string> {
      const out = new PassThrough({ highWaterMark });
      const chunks: Buffer[] = [];
      const w = new MessageWriter(out);
      const done = (async (): Promise<void> => {
        await write(w);
        await w.flush();
        out.end();
      })();
      for await (const chunk of out) chunks.push(chunk as Buffer);
      await done;
      return Buffer.concat(chunks).toString('utf8');
    }

    it('writes the bytes JSON.stringify gives each message, in order, through back-pressure', async () => {
      const records = Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, text: i % 7 === 0 ? `naïve ☃ 𝄞 "q" \\ ${i}` : 'x'.repeat(i % 300), n: i }));
      records.push({ id: 'big', text: 'é'.repeat(400_000), n: -1 });
      const expected: string[] = [];
      const text = await written(async (w) => {
        await w.schema({ stream: 's', schema: { type: 'object' }, key_properties: ['id'] });
        expected.push(JSON.stringify({ type: 'SCHEMA', stream: 's', schema: { type: 'object' }, key_properties: ['id'] }));
        for (const [i, record] of records.entries()) {
          const stream = i % 2 === 0 ? 'events' : 'a "quoted" stream';
          const extracted = i < 1500 ? '2024-01-01T00:00:00.000Z' : '2024-01-01T00:00:01.000Z';
          await w.record(stream, record, extracted);
          expected.push(JSON.stringify({ type: 'RECORD', stream, record, time_extracted: extracted }));
          if (i % 1000 === 999) {
            await w.state({ bookmarks: { i } });
            expected.push(JSON.stringify({ type: 'STATE', value: { bookmarks: { i } } }));
          }
        }
      }, 1024);
      assert.equal(text, `${expected.join('\n')}\n`);
    });

    it('a STATE is written at once (not held in the chunk)', async () => {
      const out = new PassThrough();
      const w = new MessageWriter(out);
      await w.record('s', { id: '1' }, '2024-01-01T00:00:00Z');
      await w.state({ n: 1 });
      const text = String(out.read());
      assert.equal(text.split('\n').length, 3);
    });
  });
});
