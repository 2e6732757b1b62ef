// Klaviyo's filter syntax: strings quoted, lists bracketed, datetimes unquoted in UTC with a Z, AND by comma;
// and the check of field/operator pairs against the spec's allowed filters.
import assert from 'node:assert/strict';
import { ENDPOINTS } from '../../src/generated/endpoints.js';
import type { EndpointFacts } from '../../src/tap/http/endpoint-facts.js';
import { disallowedFilters, f, renderFilter, renderFilters, type Filter } from '../../src/tap/engine/filters.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { parseFilter } from '../helpers/fake-klaviyo.js';

function micros(iso: string): number {
  const value = toMicros(iso);
  if (value === null) throw new Error(`bad fixture ${iso}`);
  return value;
}

function facts(path: string): EndpointFacts {
  const found = ENDPOINTS[path];
  if (!found) throw new Error(`no ${path} in the spec`);
  return found;
}

describe('filters', () => {
  describe('renderFilter', () => {
    const table: Array<[string, Filter, string]> = [
      ['equals quotes a string', f.equals('metric_id', 'AbC123'), "equals(metric_id,'AbC123')"],
      ['equals keeps spaces inside the quotes', f.equals('name', 'Placed Order'), "equals(name,'Placed Order')"],
      ['equals with an apostrophe switches to double quotes', f.equals('name', "O'Brien"), `equals(name,"O'Brien")`],
      ['both quote kinds: double quotes, inner ones escaped', f.equals('name', `O'Brien "Bob"`), `equals(name,"O'Brien \\"Bob\\"")`],
      ['equals on a dotted field', f.equals('messages.channel', 'email'), "equals(messages.channel,'email')"],
      ['equals a boolean: bare, unquoted', f.equals('archived', true), 'equals(archived,true)'],
      ["equals the string 'true' stays quoted", f.equals('name', 'true'), "equals(name,'true')"],
      ['any renders a bracketed list of quoted strings', f.any('email', ['a@x.com', 'b@x.com']), "any(email,['a@x.com','b@x.com'])"],
      ['any with one element', f.any('id', ['P1']), "any(id,['P1'])"],
      ['any with an apostrophe in one element', f.any('name', ["it's", 'plain']), `any(name,["it's",'plain'])`],
      ['has takes no value', f.has('profile'), 'has(profile)'],
      ['time: whole seconds, unquoted, Z', f.time('greater-or-equal', 'datetime', micros('2024-01-01T00:00:00Z')), 'greater-or-equal(datetime,2024-01-01T00:00:00Z)'],
      ['time: an offset input comes out in UTC', f.time('greater-than', 'updated', micros('2024-01-01T02:00:00+02:00')), 'greater-than(updated,2024-01-01T00:00:00Z)'],
      ['time: milliseconds kept', f.time('less-than', 'datetime', micros('2024-01-01T00:00:00.123Z')), 'less-than(datetime,2024-01-01T00:00:00.123Z)'],
      ['time: microseconds kept', f.time('less-than', 'datetime', micros('2024-01-01T00:00:00.123456Z')), 'less-than(datetime,2024-01-01T00:00:00.123456Z)'],
      ['time: less-or-equal', f.time('less-or-equal', 'joined_group_at', micros('2025-06-30T23:59:59Z')), 'less-or-equal(joined_group_at,2025-06-30T23:59:59Z)'],
    ];
    for (const [name, filter, expected] of table) {
      it(name, () => {
        const text = renderFilter(filter);
        assert.equal(text, expected);
        if (filter.value?.kind === 'datetime') assert.doesNotMatch(text, /['"]/, 'datetimes are never quoted');
      });
    }
  });

  describe('renderFilters', () => {
    it('is undefined when there is nothing to filter on', () => assert.equal(renderFilters([]), undefined));

    it('joins expressions with commas (AND), in order, and the result parses back', () => {
      const filters = [
        f.equals('metric_id', 'M1'),
        f.time('greater-or-equal', 'datetime', micros('2024-01-01T00:00:00Z')),
        f.time('less-than', 'datetime', micros('2024-02-01T00:00:00.5Z')),
        f.has('profile'),
      ];
      const text = renderFilters(filters);
      assert.equal(text, "equals(metric_id,'M1'),greater-or-equal(datetime,2024-01-01T00:00:00Z),less-than(datetime,2024-02-01T00:00:00.500Z),has(profile)");
      assert.deepEqual(
        parseFilter(text ?? '').map((e) => [e.op, e.field, e.value]),
        [
          ['equals', 'metric_id', "'M1'"],
          ['greater-or-equal', 'datetime', '2024-01-01T00:00:00Z'],
          ['less-than', 'datetime', '2024-02-01T00:00:00.500Z'],
          ['has', 'profile', ''],
        ],
      );
    });

    it('keeps a list argument with commas inside as one expression', () => {
      const text = renderFilters([f.any('email', ['a@x.com', 'b@x.com', 'c@x.com']), f.equals('name', 'x')]) ?? '';
      assert.equal(parseFilter(text).length, 2);
    });
  });

  describe('disallowedFilters', () => {
    const t = (op: 'greater-or-equal' | 'greater-than' | 'less-than' | 'less-or-equal', field: string): Filter => f.time(op, field, 0);
    const table: Array<[string, string, Filter[], string[]]> = [
      ['events: the window and metric filters the tap sends', '/api/events', [f.equals('metric_id', 'M'), t('greater-or-equal', 'datetime'), t('less-than', 'datetime'), f.has('profile')], []],
      ['events: equals on a datetime', '/api/events', [f.equals('datetime', '2024-01-01')], ['equals(datetime)']],
      ['events: a field the endpoint does not filter', '/api/events', [t('greater-than', 'updated'), f.equals('metric_id', 'M')], ['greater-than(updated)']],
      ['events: any on metric_id (equals only)', '/api/events', [f.any('metric_id', ['a', 'b'])], ['any(metric_id)']],
      ['profiles: updated takes greater-than and less-than', '/api/profiles', [t('greater-than', 'updated'), t('less-than', 'updated')], []],
      ['profiles: updated has no greater-or-equal', '/api/profiles', [t('greater-or-equal', 'updated')], ['greater-or-equal(updated)']],
      ['profiles: suppression filters', '/api/profiles', [f.equals('subscriptions.email.marketing.suppression.reason', 'HARD_BOUNCE'), t('greater-or-equal', 'subscriptions.email.marketing.suppression.timestamp')], []],
      ['lists: updated is greater-than only', '/api/lists', [t('greater-than', 'updated'), t('less-than', 'updated')], ['less-than(updated)']],
      ['metrics: no time filter at all', '/api/metrics', [f.equals('integration.name', 'Shopify'), t('greater-than', 'updated')], ['greater-than(updated)']],
      ['campaigns: channel equals, updated_at window', '/api/campaigns', [f.equals('messages.channel', 'email'), t('greater-or-equal', 'updated_at'), t('less-than', 'updated_at')], []],
      ['campaigns: any on the channel is refused', '/api/campaigns', [f.any('messages.channel', ['email', 'sms'])], ['any(messages.channel)']],
      ['list members: joined_group_at window', '/api/lists/{id}/profiles', [t('greater-or-equal', 'joined_group_at'), t('less-than', 'joined_group_at')], []],
      ['every bad pair is reported, in order', '/api/lists', [f.has('profile'), t('less-or-equal', 'created'), t('greater-than', 'created')], ['has(profile)', 'less-or-equal(created)']],
    ];
    for (const [name, path, filters, expected] of table) {
      it(name, () => assert.deepEqual(disallowedFilters(filters, facts(path)), expected));
    }
  });
});
