// The one table mapping an HTTP status to what the tap does about it (see ENDPOINTS.md "Status codes").
import assert from 'node:assert/strict';
import { actionForStatus, AuthError, ConfigError, describeError, FatalApiError, SkippableError, type StatusAction } from '../../src/tap/shared/errors.js';

describe('errors', () => {
  describe('actionForStatus', () => {
    const table: Array<[number, StatusAction, string]> = [
      [200, 'ok', 'OK'],
      [201, 'ok', 'created'],
      [400, 'fatal', 'bad request: log errors[].detail and source.parameter'],
      [401, 'auth', 'key missing or invalid'],
      [403, 'auth', 'key lacks a scope'],
      [404, 'skip', 'resource gone (e.g. a deleted list while paging members)'],
      [405, 'fatal', 'wrong method: a bug'],
      [408, 'retry', 'request timeout'],
      [409, 'fatal', 'conflict: write endpoints only'],
      [410, 'fatal', 'retired endpoint'],
      [415, 'fatal', 'wrong media type: a bug'],
      [429, 'retry', 'rate limited: wait Retry-After'],
      [500, 'retry', 'server error'],
      [502, 'retry', 'bad gateway'],
      [503, 'retry', 'unavailable'],
      [504, 'retry', 'gateway timeout'],
      [524, 'retry', 'Cloudflare timeout'],
    ];
    for (const [status, action, why] of table) {
      it(`${status} -> ${action} (${why})`, () => assert.equal(actionForStatus(status), action));
    }
  });

  describe('error classes', () => {
    it('AuthError and SkippableError are FatalApiErrors carrying their detail and cause', () => {
      const cause = new Error('403 permission_denied');
      const table = [new AuthError('refused', { status: 403, endpoint: '/api/metrics' }, { cause }), new SkippableError('gone', { status: 404, endpoint: '/api/lists/X/profiles' }, { cause })];
      for (const err of table) {
        assert.ok(err instanceof FatalApiError);
        assert.equal(err.cause, cause);
        assert.ok(err.detail.endpoint.startsWith('/api/'));
      }
      assert.deepEqual(table.map((e) => e.name), ['AuthError', 'SkippableError']);
    });

    it('ConfigError names its field; describeError reads any thrown value', () => {
      const err = new ConfigError('config: "max_retries" must be integer', 'max_retries');
      assert.equal(err.field, 'max_retries');
      assert.equal(describeError(err), 'config: "max_retries" must be integer');
      assert.equal(describeError('plain string'), 'plain string');
      assert.equal(describeError(42), '42');
    });
  });
});
