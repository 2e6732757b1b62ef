// Errors are typed by what the caller must do. Messages never contain secrets (see log.ts redaction).

/** Bad user input (config, catalog, state, CLI): fix the input and run again. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(
    message: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ApiErrorDetail {
  status: number;
  /** Operation path template or URL path, e.g. `/api/events`. */
  endpoint: string;
  /** Klaviyo's machine code (`errors[0].code`) when the body had one. */
  code?: string;
  /** Klaviyo's human detail (`errors[0].detail`) or a summary of a non-JSON body. */
  detail?: string;
  /** `errors[0].source.parameter` when present. */
  parameter?: string;
}

/** The API refused the request for good (4xx, or retries exhausted): the run stops. */
export class FatalApiError extends Error {
  override readonly name: string = 'FatalApiError';
  stream?: string;
  constructor(
    message: string,
    readonly detail: ApiErrorDetail,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The key is missing, invalid (401) or lacks a scope (403): the user must fix the key. */
export class AuthError extends FatalApiError {
  override readonly name: string = 'AuthError';
}

/**
 * A 429 whose Retry-After runs for hours: a daily quota (the Reporting API's 225 requests a day) is spent. Never
 * retried; the caller stops that endpoint for the day.
 */
export class QuotaExhaustedError extends FatalApiError {
  override readonly name: string = 'QuotaExhaustedError';
}

/** The resource is gone (404 on a child path): skip that parent and carry on. */
export class SkippableError extends FatalApiError {
  override readonly name: string = 'SkippableError';
}

/** What the tap does with an HTTP status once retries (if any) are over. */
export type StatusAction = 'ok' | 'retry' | 'auth' | 'skip' | 'fatal';

/** The one table mapping an HTTP status to what the tap does about it. */
export function actionForStatus(status: number): StatusAction {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'skip';
  return 'fatal';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A record did not match its stream's schema: the run stops rather than write bad or partial data. */
export class RecordValidationError extends Error {
  override readonly name: string = 'RecordValidationError';
}
