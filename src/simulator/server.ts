// The Klaviyo simulator: a loopback HTTP server over a generated world.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { releaseBody } from './api/byte-writer.js';
import { ApiHandler, JSON_API, errorResponse, operationIdOf, throttledResponse, type ApiRequest, type PreparedPage } from './api/handler.js';
import type { HostileLog } from './api/hostile.js';
import { parseDatetime, nowMicros } from './datetime.js';
import { writeGroundTruthDir } from './ground-truth-writer.js';
import { groundTruthRecords, type GroundTruthRecord } from './ground-truth.js';
import { handleAdmin, type AdminActions } from './http/admin.js';
import { ApiError } from './http/api-error.js';
import { FaultInjector, cloudflarePage, type FaultDraw } from './http/faults.js';
import { KeyRing } from './http/keys.js';
import { DEFAULT_KNOBS, applyKnobs, type Knobs } from './http/knobs.js';
import { RateLimiter } from './http/ratelimit.js';
import { StatsRecorder, type SimulatorStats } from './http/stats.js';
import { TurnQueue } from './http/turns.js';
import { Rng, hash32, saltOf } from './rng.js';
import { mutate, type MutationRequest, type MutationResult } from './world/mutate.js';
import type { ScaleName } from './world/scale.js';
import { buildWorld, type World } from './world/world.js';

export interface SimulatorOptions extends Partial<Knobs> {
  /** 0 (default) picks a free port. */
  port?: number;
  seed?: number;
  scale?: ScaleName;
  apiKey?: string;
  /** ISO datetime the generated history ends at (default: the start of today, UTC). */
  dataEnd?: string;
}

export interface GroundTruthOptions {
  /** ISO datetime; events dated after it are left out (default: now). */
  asOf?: string;
}

export interface Simulator extends AdminActions {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  groundTruth(stream: string, options?: GroundTruthOptions): Iterable<GroundTruthRecord>;
  writeGroundTruth(dir: string, options?: GroundTruthOptions): Promise<Record<string, number>>;
  /** Every value served off-spec so far (the `hostileRate` knob): `<parent id>|<id>` -> attribute path -> value sent. */
  hostileLog(): HostileLog;
  /** Starts a new simulated day: the Reporting API's daily quotas (225 per endpoint) count from 0 again. */
  advanceDay(): void;
  /** Requests an operation (e.g. `query_flow_series`) has counted against its daily quota on the simulated day. */
  usedToday(operationId: string): number;
  /** Requests an operation had refused with the daily 429 so far. */
  refusedDaily(operationId: string): number;
}

const DAY_SECONDS = 86_400;

/**
 * The data end in seconds: the option, else the start of the current UTC day by the real clock (the clock the tap
 * reads too), so the generated history always reaches yesterday whatever the date. The world is the same all day
 * long; a test that needs one world whatever the date passes `dataEnd`.
 */
export function resolveDataEnd(dataEnd: string | undefined, nowMs: number = Date.now()): number {
  if (dataEnd === undefined) return Math.floor(nowMs / 1000 / DAY_SECONDS) * DAY_SECONDS;
  const micros = parseDatetime(dataEnd);
  if (micros === null) throw new Error(`dataEnd '${dataEnd}' is not an ISO 8601 datetime`);
  return Math.floor(micros / 1_000_000);
}

function asOfMicros(options?: GroundTruthOptions): number {
  if (options?.asOf === undefined) return nowMicros();
  const micros = parseDatetime(options.asOf);
  if (micros === null) throw new Error(`asOf '${options.asOf}' is not an ISO 8601 datetime`);
  return micros;
}

const ERROR_CODES: Record<number, [string, string]> = {
  500: ['error', 'A server error occurred.'],
  502: ['bad_gateway', 'Bad gateway.'],
  503: ['service_unavailable', 'Service temporarily unavailable.'],
  504: ['gateway_timeout', 'Gateway timeout.'],
};

class Runtime {
  readonly stats = new StatsRecorder();
  readonly hanging = new Set<ServerResponse>();
  readonly timers = new Set<NodeJS.Timeout>();
  /** One page rendered ahead of its latency per event-loop turn (see onRequest). */
  readonly renders = new TurnQueue();
  knobs: Knobs;
  base = '';
  /** Counts changes to the world and the knobs: a page rendered ahead is sent only if none came in between. */
  generation = 0;

  constructor(
    /** Both replaced when the `account` knob changes (a new world, same seed, scale and data end). */
    public world: World,
    public api: ApiHandler,
    readonly faults: FaultInjector,
    readonly limiter: RateLimiter,
    knobs: Knobs,
  ) {
    this.knobs = knobs;
    this.applyLimiter();
  }

  applyLimiter(): void {
    this.limiter.enabled = this.knobs.rateLimits;
    this.limiter.speedup = this.knobs.rateLimitSpeedup;
    this.limiter.factor = this.knobs.rateLimitFactor;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  async onRequest(req: IncomingMessage, res: ServerResponse, admin: AdminActions): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    if (url.pathname.startsWith('/__admin')) return handleAdmin(admin, req, url, res);
    const requestBody = req.method === 'POST' ? await readBody(req) : undefined;
    res.once('close', this.stats.begin(operationIdOf(url.pathname)));
    const draw = this.faults.draw(this.knobs);
    const arrived = performance.now();
    const answered = !draw.fault || draw.fault === 'truncate';
    let request = this.apiRequest(req, url, requestBody);
    // The response goes out `delayMs` after the request came in, its rendering included (as a server whose
    // latency is its own work): the page is rendered at once and waits out the rest. Rendered after the wait,
    // renders that fall due together queued behind each other, so the more requests in flight, the slower each.
    // Each render takes an event-loop turn of its own, so responses that fall due meanwhile go out between them:
    // requests that came in together were rendered in one turn, which held every response due until the last
    // was done, then sent them all at once (and the client answered them all at once: a convoy that kept both
    // sides waiting for each other in turn).
    let generation = this.generation;
    let prepared: PreparedPage | undefined;
    if (draw.delayMs > 0 && answered) {
      await this.renders.next();
      if (res.destroyed) return;
      generation = this.generation;
      prepared = this.api.prepare(request);
    }
    if (draw.delayMs > 0) await this.sleep(Math.max(0, draw.delayMs - (performance.now() - arrived)));
    if (res.destroyed) return;
    if (!answered) return this.injectFault(draw, req, res);
    // A mutation or a new setting meanwhile: the response is what the world and the knobs are now.
    const current = generation === this.generation;
    if (!current) request = this.apiRequest(req, url, requestBody);
    const response = this.api.handle(request, current ? prepared : undefined);
    let body = response.body;
    if (draw.fault === 'truncate' && response.status === 200) {
      this.stats.fault('truncate');
      // Half the text (not half the bytes), as before bodies came as bytes.
      const text = typeof body === 'string' ? body : body.toString('utf8');
      body = text.slice(0, Math.floor(text.length / 2));
    }
    this.send(res, response.status, response.headers, body);
  }

  private apiRequest(req: IncomingMessage, url: URL, body: string | undefined): ApiRequest {
    const nextBase = this.knobs.nextOrigin || this.base;
    return { method: req.method ?? 'GET', url, headers: req.headers, base: this.base, nextBase, refuseFutureBounds: this.knobs.refuseFutureBounds, hostileRate: this.knobs.hostileRate, skipEventsOnDays: this.knobs.skipEventsOnDays, layout: this.knobs.layout, ...(body !== undefined ? { body } : {}) };
  }

  private send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
    this.stats.status(status);
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    this.stats.sent(length);
    res.writeHead(status, { ...headers, 'content-length': String(length) });
    res.end(body);
    // Every body given as bytes is a page's (ByteWriter): its buffer serves a later page once it is sent.
    if (typeof body !== 'string') res.once('finish', () => releaseBody(body));
  }

  private injectFault(draw: FaultDraw, req: IncomingMessage, res: ServerResponse): void {
    if (!draw.fault) return;
    this.stats.fault(draw.fault);
    if (draw.fault === 'reset') {
      req.socket.destroy();
    } else if (draw.fault === 'hang') {
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
    } else if (draw.fault === 'html') {
      this.send(res, 503, { 'content-type': 'text/html; charset=UTF-8', server: 'cloudflare' }, cloudflarePage(503));
    } else if (draw.fault === 'throttle') {
      const response = throttledResponse(1);
      this.send(res, response.status, response.headers, response.body);
    } else {
      const [code, title] = ERROR_CODES[draw.errorStatus] ?? ['error', 'A server error occurred.'];
      const error = new ApiError(draw.errorStatus, code, title, `${title} Please retry.`);
      const response = errorResponse(error);
      this.send(res, response.status, { ...response.headers, 'content-type': JSON_API }, response.body);
    }
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const { port = 0, seed = 42, scale = 'small', apiKey = 'pk_sim_demo', dataEnd, ...knobPatch } = options;
  const knobs = applyKnobs(DEFAULT_KNOBS, knobPatch);
  const endSec = resolveDataEnd(dataEnd);
  const keys = new KeyRing(apiKey);
  const limiter = new RateLimiter();
  const serve = (world: World): ApiHandler => new ApiHandler(world, keys, limiter, hash32(seed, 0xc0de));
  const world = buildWorld(seed, scale, endSec, knobs.account);
  const runtime = new Runtime(world, serve(world), new FaultInjector(seed), limiter, knobs);
  const mutations = new Rng(seed, saltOf('mutations'));
  const simulator = {} as Simulator;
  const server = createServer((req, res) => {
    runtime.onRequest(req, res, simulator).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      else res.destroy();
    });
  });
  const boundPort = await listen(server, port);
  runtime.base = `http://127.0.0.1:${boundPort}`;
  Object.defineProperty(simulator, 'world', { get: () => runtime.world, enumerable: true });
  Object.assign(simulator, {
    url: runtime.base,
    port: boundPort,
    configure: (patch: unknown): Knobs => {
      const next = applyKnobs(runtime.knobs, patch);
      if (next.account !== runtime.knobs.account) {
        runtime.world = buildWorld(seed, scale, endSec, next.account);
        runtime.api = serve(runtime.world);
      }
      runtime.knobs = next;
      runtime.generation++;
      runtime.applyLimiter();
      return { ...runtime.knobs };
    },
    knobs: (): Knobs => ({ ...runtime.knobs }),
    mutate: (request: MutationRequest): MutationResult => {
      runtime.generation++;
      return mutate(runtime.world, mutations, request, Date.now(), runtime.knobs.archiveMovesUpdated);
    },
    addKey: (key: string, scopes: string[]): void => keys.add(key, scopes),
    stats: (): SimulatorStats => runtime.stats.snapshot(),
    resetStats: (): void => runtime.stats.reset(),
    groundTruth: (stream: string, opts?: GroundTruthOptions) => groundTruthRecords(runtime.world, stream, asOfMicros(opts)),
    writeGroundTruth: (dir: string, opts?: GroundTruthOptions) => writeGroundTruthDir(runtime.world, dir, asOfMicros(opts)),
    hostileLog: (): HostileLog => runtime.api.hostileLog,
    advanceDay: (): void => limiter.advanceDay(),
    usedToday: (operationId: string): number => limiter.usedToday(operationId),
    refusedDaily: (operationId: string): number => limiter.refusedDaily.get(operationId) ?? 0,
    close: async (): Promise<void> => {
      for (const timer of runtime.timers) clearTimeout(timer);
      for (const res of runtime.hanging) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  });
  return simulator;
}
