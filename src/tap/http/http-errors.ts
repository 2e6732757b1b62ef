// What a failed request becomes: whether it is retried (429, 5xx, timeouts, resets, unreadable bodies), and the
// typed error the run sees at the end (auth, skippable, daily quota, fatal), each message naming the request and
// what Klaviyo said, without secrets.
import { AxiosError, type AxiosResponse } from 'axios';
import { retryAfter } from 'axios-retry';
import { actionForStatus, AuthError, FatalApiError, QuotaExhaustedError, SkippableError, type ApiErrorDetail } from '../shared/errors.js';

/** A POST's 429 that asks to wait this long is a daily quota, not a window: no retry can succeed today. */
export const DAILY_RETRY_AFTER_MS = 60 * 60_000;

export function isDailyQuota(error: AxiosError): boolean {
  return error.response?.status === 429 && error.config?.method === 'post' && retryAfter(error) >= DAILY_RETRY_AFTER_MS;
}

export function isRetriable(error: AxiosError): boolean {
  if (error.code === AxiosError.ERR_CANCELED) return false;
  if (isDailyQuota(error)) return false;
  if (error.code === AxiosError.ERR_BAD_RESPONSE && error.response && actionForStatus(error.response.status) === 'ok') return true;
  // No response at all: a reset, a refused or dropped connection, or our own timeout. All are transient.
  if (!error.response) return true;
  return actionForStatus(error.response.status) === 'retry';
}

export function describeRequest(url: string | undefined, method = 'GET'): string {
  if (!url) return 'request';
  try {
    const u = new URL(url);
    return `${method.toUpperCase()} ${u.pathname}`;
  } catch {
    return 'request';
  }
}

export function summarize(error: AxiosError): string {
  if (error.response) {
    const detail = errorDetail(error.response);
    const reason = detail.detail ?? (error.code === AxiosError.ERR_BAD_RESPONSE ? error.message : undefined);
    return `${error.response.status}${detail.code ? ` ${detail.code}` : ''}${reason ? `: ${reason}` : ''}`;
  }
  return error.code ?? error.message;
}

/** Reads the JSON:API `errors[0]` of an error response, or describes a non-JSON body. */
function errorDetail(response: AxiosResponse): Omit<ApiErrorDetail, 'status' | 'endpoint'> {
  const raw = response.data;
  let body: unknown = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      return { detail: bodyKind(response) === 'an HTML page' ? 'an HTML error page (e.g. Cloudflare), not the API' : 'a body that is not JSON' };
    }
  }
  const first = (body as { errors?: Array<Record<string, unknown>> } | null)?.errors?.[0];
  if (!first) return {};
  // `source.parameter` for a query parameter, `source.pointer` for a member of a POST body (JSON:API).
  const source = first['source'] as { parameter?: unknown; pointer?: unknown } | undefined;
  const parameter = source?.parameter ?? source?.pointer;
  return {
    ...(typeof first['code'] === 'string' ? { code: first['code'] } : {}),
    ...(typeof first['detail'] === 'string' ? { detail: first['detail'] } : {}),
    ...(typeof parameter === 'string' ? { parameter } : {}),
  };
}

/** What happened to a request that got no response, in words (with the code in brackets). */
function describeNetworkError(err: AxiosError, timeoutMs: number): string {
  const code = err.code ?? 'network error';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return `no answer within request_timeout_s (${timeoutMs / 1000} s) [${code}]`;
  if (code === 'ECONNRESET') return `connection reset by the server [${code}]`;
  if (code === 'ECONNREFUSED') return `connection refused [${code}]`;
  return code;
}

export function toTypedError(err: unknown, url: string, maxRetries: number, timeoutMs: number, method = 'GET'): Error {
  if (err instanceof FatalApiError) return err;
  const endpoint = new URL(url).pathname;
  if (!(err instanceof AxiosError)) {
    return new FatalApiError(`${method} ${endpoint} failed: ${(err as Error).message}`, { status: 0, endpoint });
  }
  const response = err.response;
  const status = response?.status ?? 0;
  const detail: ApiErrorDetail = { status, endpoint, ...(response ? errorDetail(response) : {}) };
  const action = response ? actionForStatus(status) : 'retry';
  const what = response ? `${status}${detail.code ? ` ${detail.code}` : ''}` : describeNetworkError(err, timeoutMs);
  const text = detail.detail ? `: ${detail.detail}` : err.code === AxiosError.ERR_BAD_RESPONSE ? `: ${err.message}` : '';
  const param = detail.parameter ? ` (parameter ${detail.parameter})` : '';
  const cause = { cause: new Error(`${what}${text}`) };
  if (isDailyQuota(err)) return new QuotaExhaustedError(`${method} ${endpoint}: the daily quota is spent (429, Retry-After ${Math.round(retryAfter(err) / 60_000)} min)`, detail, cause);
  if (action === 'auth') return new AuthError(`${method} ${endpoint} was refused: ${what}${text}`, detail, cause);
  if (action === 'skip') return new SkippableError(`${method} ${endpoint}: ${what}${text}`, detail, cause);
  const gaveUp = action === 'retry' || err.code === AxiosError.ERR_BAD_RESPONSE ? ` after ${maxRetries} retries` : '';
  return new FatalApiError(`${method} ${endpoint} failed${gaveUp}: ${what}${text}${param}`, detail, cause);
}

export function bodyKind(response: AxiosResponse): string {
  const type = String(response.headers['content-type'] ?? 'no content-type');
  return type.includes('html') ? 'an HTML page' : type;
}
