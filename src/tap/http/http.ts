// The HTTP client: axios with auth and revision headers, retries (axios-retry) with backoff and jitter on
// 429/5xx/timeouts/resets/unreadable bodies, one rate budget per endpoint, and typed errors without secrets (http-errors.ts).
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import axiosRetryModule, { retryAfter, type AxiosRetry } from 'axios-retry';
import { FatalApiError } from '../shared/errors.js';
import { log } from '../shared/log.js';
import type { RequestTimer } from '../singer/metrics.js';
import { revisionGoneHint } from '../config/revision.js';
import { bodyKind, describeRequest, isRetriable, summarize, toTypedError } from './http-errors.js';
import { decodeBody, parseJsonApi, parseJsonApiBody } from './body.js';
import type { BudgetKey, JsonApiDocument } from './json-api.js';
import { parseJsonApiPage, type LeanDocument, type NewReader } from './lean-page.js';
import { RateBudget, type Clock, realClock } from './ratelimit.js';
import { Semaphore } from './semaphore.js';

const axiosRetry = axiosRetryModule as unknown as AxiosRetry;

export interface HttpOptions {
  baseUrl: string;
  apiKey: string;
  revision: string;
  timeoutMs: number;
  maxRetries: number;
  initialRetryWaitMs: number;
  maxRetryWaitMs: number;
  maxInFlight: number;
  userAgent: string;
  clock?: Clock;
  /** Told of every request attempt's duration and status (Singer `http_request_duration`). */
  timer?: RequestTimer;
}

/** A page of a collection: its `data` may be read one resource at a time (lean-page.ts). */
export type PageDocument = JsonApiDocument | LeanDocument;

/** Counters for the end-of-run summary and the demo. */
export interface HttpStats {
  requests: number;
  retries: number;
}

/**
 * A request's config as the interceptors see it: its budget, when the budget let it go, and whether its body is a
 * page whose resources are read one at a time.
 */
type Timed = { budget?: RateBudget; sentAt?: number; endpoint?: string; onSend?: () => void; lean?: NewReader | true };

const RETRY_AFTER_CAP_MS = 10 * 60_000;

export class KlaviyoClient {
  private readonly axios: AxiosInstance;
  private readonly budgets = new Map<string, RateBudget>();
  private readonly inFlight: Semaphore;
  private readonly origin: string;
  private readonly clock: Clock;
  readonly stats: HttpStats = { requests: 0, retries: 0 };
  /** Endpoints whose `links.next` led off the collection this run (paginate.ts), each warned about once. */
  readonly cutShort = new Set<string>();

  constructor(private readonly options: HttpOptions) {
    this.origin = new URL(options.baseUrl).origin;
    this.clock = options.clock ?? realClock;
    this.inFlight = new Semaphore(options.maxInFlight);
    this.axios = axios.create({
      timeout: options.timeoutMs,
      // Bytes: a successful body stays bytes until parseBody reads them as a JSON:API document, and any other is
      // decoded as text for its error (both in body.ts, which avoids V8's byte-by-byte UTF-8 decoder).
      responseType: 'arraybuffer',
      transformResponse: [(body: unknown, _headers: unknown, status?: number) => (status !== undefined && status >= 200 && status < 300 ? body : decodeBody(body))],
      maxRedirects: 0,
      headers: {
        Authorization: `Klaviyo-API-Key ${options.apiKey}`,
        revision: options.revision,
        Accept: 'application/vnd.api+json',
        'User-Agent': options.userAgent,
      },
    });
    this.axios.interceptors.request.use(async (config) => {
      const timed = config as Timed;
      await timed.budget?.acquire();
      timed.sentAt = this.clock.now();
      timed.onSend?.();
      this.stats.requests++;
      return config;
    });
    this.axios.interceptors.response.use(
      (response) => {
        const timed = response.config as Timed;
        if (timed.sentAt !== undefined) timed.budget?.observeLatency(this.clock.now() - timed.sentAt);
        try {
          const parsed = parseBody(response);
          this.timeAttempt(timed, response.status, 'succeeded');
          return parsed;
        } catch (err) {
          this.timeAttempt(timed, response.status, 'failed');
          throw err;
        }
      },
      (error: unknown) => {
        if (error instanceof AxiosError && error.config) this.timeAttempt(error.config as Timed, error.response?.status ?? 0, 'failed');
        throw error;
      },
    );
    axiosRetry(this.axios, {
      retries: options.maxRetries,
      shouldResetTimeout: true,
      retryCondition: isRetriable,
      retryDelay: (count, error) => this.retryDelay(count, error),
      onRetry: (count, error, config) => {
        this.stats.retries++;
        log.warn(`retrying ${describeRequest(config.url, config.method)} (${count}/${options.maxRetries}): ${summarize(error)}`);
      },
    });
  }

  /** The origin every request must go to; a URL elsewhere is refused before anything is sent. */
  isSameOrigin(url: string): boolean {
    try {
      return new URL(url, this.origin).origin === this.origin;
    } catch {
      return false;
    }
  }

  resolve(pathOrUrl: string): string {
    return new URL(pathOrUrl, this.origin).toString();
  }

  /** GET a JSON:API document. Retries happen inside; what escapes is a typed error. */
  get(pathOrUrl: string, budget: BudgetKey): Promise<JsonApiDocument> {
    return this.send('GET', pathOrUrl, budget) as Promise<JsonApiDocument>; // not lean: parsed whole
  }

  /**
   * GET a page of a collection whose resources are read one at a time, where the page allows (lean-page.ts), each
   * read by a lane's reader (from `newReader`) where it takes it.
   */
  getPage(pathOrUrl: string, budget: BudgetKey, newReader: NewReader | null = null): Promise<PageDocument> {
    return this.send('GET', pathOrUrl, budget, undefined, newReader ?? true);
  }

  /**
   * POST a JSON:API query (the Reporting API, metric aggregates) and read its document. `attempts` counts every
   * request sent, retries included (what a daily quota counts). A 429 whose Retry-After runs past an hour is a
   * spent daily quota: not retried, a QuotaExhaustedError.
   */
  post(path: string, body: unknown, budget: BudgetKey, attempts?: { sent: number }): Promise<JsonApiDocument> {
    return this.send('POST', path, budget, { body, attempts: attempts ?? { sent: 0 } }) as Promise<JsonApiDocument>; // parsed whole
  }

  private async send(
    method: 'GET' | 'POST',
    pathOrUrl: string,
    budget: BudgetKey,
    post?: { body: unknown; attempts: { sent: number } },
    lean: NewReader | true | undefined = undefined,
  ): Promise<PageDocument> {
    const url = this.resolve(pathOrUrl);
    if (!this.isSameOrigin(url)) {
      throw new FatalApiError(`refused to request ${new URL(url).origin}: not the configured base_url ${this.origin}`, {
        status: 0,
        endpoint: new URL(url).pathname,
      });
    }
    const bucket = this.rateBudget(budget);
    return this.inFlight.run(async () => {
      try {
        // The budget rides on the request config, so every attempt (first and retries) waits for room in it.
        // A function, not an object: axios copies plain objects of the config, so a counter object would not count.
        const extra = { budget: bucket, endpoint: budget.path ?? budget.id, ...(lean ? { lean } : {}), ...(post ? { onSend: () => post.attempts.sent++ } : {}) } as object;
        const response = post
          ? await this.axios.post<PageDocument>(url, JSON.stringify(post.body), { ...extra, headers: { 'Content-Type': 'application/vnd.api+json' } })
          : await this.axios.get<PageDocument>(url, extra);
        bucket.observe(headerNumber(response, 'ratelimit-remaining'), headerNumber(response, 'ratelimit-reset'), (response.config as Timed).sentAt);
        return response.data;
      } catch (err) {
        const typed = toTypedError(err, url, this.options.maxRetries, this.options.timeoutMs, method);
        if (typed instanceof FatalApiError && typed.detail.status === 410) typed.message += revisionGoneHint(this.options.revision);
        throw typed;
      }
    });
  }

  /** The endpoint's budget, shared by every caller (its windows, and its latency-driven admission). */
  rateBudget(key: BudgetKey): RateBudget {
    let bucket = this.budgets.get(key.id);
    if (!bucket) {
      bucket = new RateBudget(key.tier, this.clock, this.options.maxInFlight);
      this.budgets.set(key.id, bucket);
    }
    return bucket;
  }

  private timeAttempt(timed: Timed, httpStatus: number, status: 'succeeded' | 'failed'): void {
    if (this.options.timer && timed.sentAt !== undefined) {
      this.options.timer.request(timed.endpoint ?? 'unknown', httpStatus, (this.clock.now() - timed.sentAt) / 1000, status);
    }
  }

  private retryDelay(count: number, error: AxiosError): number {
    const serverWait = error.response?.status === 429 ? Math.min(retryAfter(error), RETRY_AFTER_CAP_MS) : 0;
    const exp = Math.min(this.options.initialRetryWaitMs * 2 ** (count - 1), this.options.maxRetryWaitMs);
    const jittered = exp / 2 + Math.random() * (exp / 2);
    const wait = Math.max(serverWait, jittered);
    const bucket = (error.config as { budget?: RateBudget } | undefined)?.budget;
    if (serverWait > 0 && bucket) bucket.pause(serverWait);
    return wait;
  }
}

/** A 2xx body must be a JSON:API document; anything else (truncated JSON, an HTML page) is retried. */
function parseBody(response: AxiosResponse): AxiosResponse {
  const body: unknown = response.data;
  let doc: unknown;
  try {
    const lean = (response.config as Timed).lean;
    doc = Buffer.isBuffer(body) ? (lean ? parseJsonApiPage(body, undefined, lean === true ? null : lean) : parseJsonApiBody(body)) : parseJsonApi(typeof body === 'string' ? body : '');
  } catch {
    // The error's reader (errorDetail) gets the text, as for any other status.
    const text = decodeBody(body);
    response.data = text;
    throw unreadable(response, `unreadable body (${bodyKind(response)}, ${typeof text === 'string' ? text.length : 0} bytes)`);
  }
  if (typeof doc !== 'object' || doc === null || !('data' in doc)) {
    throw unreadable(response, 'body is not a JSON:API document (no "data")');
  }
  response.data = doc;
  return response;
}

function unreadable(response: AxiosResponse, message: string): AxiosError {
  return new AxiosError(message, AxiosError.ERR_BAD_RESPONSE, response.config, response.request, response);
}

function headerNumber(response: AxiosResponse, name: string): number | undefined {
  const raw = response.headers[name];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

