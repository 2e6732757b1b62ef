// The cheaper steps from a page's bytes to its output lines give exactly what the plain ones gave.
import assert from 'node:assert/strict';
import { decodeBody, parseJsonApi, parseJsonApiBody } from '../../src/tap/http/body.js';
import { toPage } from '../../src/tap/http/paginate.js';
import { API, apiEvent } from '../helpers/api-event.js';

/** An event with Klaviyo's links and the given properties. */
function event(id: string, properties: unknown): Record<string, unknown> {
  return apiEvent(id, { timestamp: 1730419398, event_properties: properties, datetime: '2024-11-01T00:03:18+00:00', uuid: `uuid-${id}` });
}

function pageText(properties: unknown[], next: string | null = `${API}/events?page%5Bcursor%5D=abc`): string {
  return JSON.stringify({
    data: properties.map((p, i) => event(`E${i}`, p)),
    included: [{ type: 'metric', id: 'gUUB9Q', attributes: { name: 'Placed Order' }, links: { self: `${API}/metrics/gUUB9Q/` } }],
    links: next ? { self: `${API}/events`, next } : { self: `${API}/events` },
  });
}

/** The document without the links the tap never reads (the document's own links are kept). */
function withoutResourceLinks(doc: unknown): unknown {
  const copy = structuredClone(doc) as { data: Array<Record<string, unknown>>; included?: Array<Record<string, unknown>> };
  for (const r of [...copy.data, ...(copy.included ?? [])]) {
    delete r['links'];
    for (const rel of Object.values((r['relationships'] ?? {}) as Record<string, Record<string, unknown>>)) delete rel['links'];
  }
  return copy;
}

/** Hostile event properties: user data shaped like the API's links, which must come out exactly as sent. */
const HOSTILE: Record<string, unknown> = {
  'a property named links, shaped like a resource link': { links: { self: `${API}/events/E0/` } },
  'a property named links, shaped like a relationship link': { links: { self: `${API}/events/E0/relationships/metric/`, related: `${API}/events/E0/metric/` } },
  'links nested in a list of objects': { items: [{ links: { self: 'https://shop.example/p/1' } }, { links: { self: 'x', related: 'y' } }] },
  'a key that ends in an escaped quote before links': { 'say \\"links': { self: 'u' }, 'q"links': { self: 'u' } },
  'links-shaped text inside a string': { note: '"links":{"self":"https://a.klaviyo.com/api/events/E0/"}', other: String.raw`\"links\":{\"self\":\"u\"}` },
  'an object named relationships holding links': { relationships: { metric: { links: { self: 'u', related: 'v' } } } },
};

describe('record path', () => {
  describe('decodeBody: the text of toString("utf8"), without a byte-order mark', () => {
    const bodies: Record<string, Buffer> = {
      ascii: Buffer.from('{"data":[{"id":"a"}]}'),
      'two- and three-byte characters': Buffer.from('{"data":[{"name":"José — Zoë ✓","ünï":"ç"}]}'),
      'astral characters (surrogate pairs)': Buffer.from('{"data":[{"subject":"🎉 sale 𝄞"}]}'),
      'byte-order mark then UTF-8': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"data":"é"}')]),
      'byte-order mark alone before ASCII': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"data":1}')]),
      'invalid UTF-8 (truncated sequences, stray bytes)': Buffer.from([0x7b, 0x22, 0xe2, 0x80, 0x22, 0xff, 0x41, 0xc3, 0x22, 0xf0, 0x9f, 0x98, 0x7d]),
      'an encoded surrogate (invalid in UTF-8)': Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]),
      empty: Buffer.alloc(0),
    };
    for (const [name, body] of Object.entries(bodies)) {
      it(name, () => {
        const plain = body.toString('utf8');
        assert.equal(decodeBody(body), plain.charCodeAt(0) === 0xfeff ? plain.slice(1) : plain);
      });
    }
    it('a body that is not a Buffer is left as it is', () => assert.deepEqual(decodeBody({ data: [] }), { data: [] }));
  });

  describe('parseJsonApi: JSON.parse without the links nobody reads, and never a changed value of the data', () => {
    it('a page of events: the same document but for the links of resources and relationships', () => {
      const text = pageText([{ $value: 5 }, { Subject: 'Hi', $message: 'm1' }, {}]);
      const lean = parseJsonApi(text) as { data: Array<{ links: unknown }> };
      assert.notEqual(typeof lean.data[0]?.links, 'object', 'the links were replaced (else the test proves nothing)');
      assert.deepEqual(withoutResourceLinks(lean), withoutResourceLinks(JSON.parse(text)));
    });

    it("the document's links.next is kept, and a last page (links without next) still has no next", () => {
      assert.equal(toPage(parseJsonApi(pageText([{}])) as never, 'u').hasNext, true);
      assert.equal(toPage(parseJsonApi(pageText([{}], null)) as never, 'u').hasNext, false);
    });

    for (const [name, properties] of Object.entries(HOSTILE)) {
      it(`${name}: every value of the data comes out as JSON.parse gives it`, () => {
        const text = pageText([{ $value: 1 }, properties, { $value: 2 }]);
        const lean = parseJsonApi(text) as { data: Array<{ attributes: unknown }> };
        assert.deepEqual(lean.data[1]?.attributes, { ...event('E1', properties)['attributes'] as object });
        assert.deepEqual(withoutResourceLinks(lean), withoutResourceLinks(JSON.parse(text)));
      });
    }

    it('links shaped like the API\'s as a whole attribute of a resource', () => {
      const doc = JSON.parse(pageText([{}])) as { data: Array<{ attributes: Record<string, unknown> }> };
      (doc.data[0] as { attributes: Record<string, unknown> }).attributes['links'] = { self: `${API}/events/E0/` };
      const text = JSON.stringify(doc);
      assert.deepEqual(parseJsonApi(text), JSON.parse(text));
    });

    it('text that is not JSON fails as JSON.parse fails', () => {
      const text = `${pageText([{}]).slice(0, -10)}`;
      assert.throws(() => parseJsonApi(text), SyntaxError);
      assert.throws(() => parseJsonApi('<html>links</html>'), SyntaxError);
    });
  });

  describe('parseJsonApiBody: from the bytes, the document parseJsonApi gives of the decoded text', () => {
    const same = (body: Buffer): void => {
      const plain = JSON.parse(decodeBody(body) as string) as unknown;
      assert.deepEqual(withoutResourceLinks(parseJsonApiBody(body)), withoutResourceLinks(plain));
    };
    const TEXTS = ['José', 'Zoë — “quoted” ✓', '🎉 sale 𝄞', '中文 テスト', 'line\u2028sep', 'ÿ\u0080\u07ff\uffff', '\u{10ffff}', 'a\\é', 'é\\', '\\u00e9 é', 'tab\tthen é'];
    for (const text of TEXTS) {
      it(`a page holding ${JSON.stringify(text)} in values and keys`, () => {
        same(Buffer.from(pageText([{ name: text, [text]: [text, { deep: text }] }, { $value: 1, Subject: `${text}${text}` }])));
      });
    }
    it('a byte-order mark before UTF-8 and before ASCII', () => {
      same(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pageText([{ name: 'é' }]))]));
      same(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pageText([{ name: 'e' }]))]));
    });
    it('invalid UTF-8 inside a string: replaced as toString("utf8") replaces it', () => {
      const [head, tail] = pageText([{ name: 'XX' }]).split('XX') as [string, string];
      same(Buffer.concat([Buffer.from(head), Buffer.from([0xe2, 0x80, 0x41, 0xff, 0xc3]), Buffer.from(tail)]));
    });
    it('hostile links in a UTF-8 page, and non-ASCII in the URLs of links', () => {
      for (const properties of Object.values(HOSTILE)) same(Buffer.from(pageText([{ name: 'é' }, properties])));
      same(Buffer.from(pageText([{ name: 'é' }]).replace(/\/events\//g, '/évents/')));
    });
    it('non-ASCII where JSON forbids it still fails: after a lone backslash, outside strings, inside \\u', () => {
      for (const bad of ['{"data":[{"id":"\\é"}]}', '{"data":[1é]}', '{"data":é}', '{"data":"\\u00é9"}', '{"data":"\\\\\\é"}']) {
        assert.throws(() => JSON.parse(bad), SyntaxError, bad);
        assert.throws(() => parseJsonApiBody(Buffer.from(bad)), SyntaxError, bad);
      }
    });
    it('an escaped backslash before a non-ASCII character is kept', () => same(Buffer.from('{"data":[{"id":"\\\\é"}]}')));
  });
});
