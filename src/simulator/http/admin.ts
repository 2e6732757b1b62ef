// /__admin/...: configuration, mutations, keys, statistics and ground truth. No auth, never faulted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDatetime, nowMicros } from '../datetime.js';
import { writeLines } from '../ground-truth-writer.js';
import { GROUND_TRUTH_STREAMS } from '../ground-truth.js';
import type { MutationRequest, MutationResult } from '../world/mutate.js';
import { readMutationRequest } from '../world/mutate.js';
import type { World } from '../world/world.js';
import type { Knobs } from './knobs.js';
import type { SimulatorStats } from './stats.js';

/** What the admin endpoints act on (the Simulator object exposes the same functions). */
export interface AdminActions {
  world: World;
  configure(patch: unknown): Knobs;
  knobs(): Knobs;
  mutate(request: MutationRequest): MutationResult;
  addKey(key: string, scopes: string[]): void;
  stats(): SimulatorStats;
  resetStats(): void;
}

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AdminError(400, 'body is not valid JSON');
  }
}

function readKey(body: unknown): { key: string; scopes: string[] } {
  const { key, scopes } = (body ?? {}) as { key?: unknown; scopes?: unknown };
  if (typeof key !== 'string' || key === '') throw new AdminError(400, 'key must be a non-empty string');
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw new AdminError(400, 'scopes must be a list of strings');
  return { key, scopes };
}

function asOfMicros(url: URL): number {
  const asOf = url.searchParams.get('asOf');
  if (asOf === null) return nowMicros();
  const micros = parseDatetime(asOf);
  if (micros === null) throw new AdminError(400, `asOf '${asOf}' is not an ISO 8601 datetime`);
  return micros;
}

async function groundTruth(actions: AdminActions, url: URL, stream: string, res: ServerResponse): Promise<void> {
  if (!GROUND_TRUTH_STREAMS.includes(stream)) throw new AdminError(404, `unknown stream '${stream}' (known: ${GROUND_TRUTH_STREAMS.join(', ')})`);
  const asOf = asOfMicros(url);
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  await writeLines(actions.world, stream, asOf, res);
  res.end();
}

async function route(actions: AdminActions, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
  const path = url.pathname.replace(/\/$/, '');
  const key = `${req.method ?? 'GET'} ${path}`;
  const attempt = <T>(action: () => T): T => {
    try {
      return action();
    } catch (error) {
      throw new AdminError(400, (error as Error).message);
    }
  };
  if (key === 'GET /__admin/config') return sendJson(res, 200, actions.knobs());
  if (key === 'POST /__admin/config') {
    const body = await readJson(req);
    return sendJson(res, 200, attempt(() => actions.configure(body)));
  }
  if (key === 'POST /__admin/mutate') {
    const body = await readJson(req);
    return sendJson(res, 200, actions.mutate(attempt(() => readMutationRequest(body))));
  }
  if (key === 'POST /__admin/keys') {
    const { key: apiKey, scopes } = readKey(await readJson(req));
    actions.addKey(apiKey, scopes);
    return sendJson(res, 200, { key: apiKey, scopes });
  }
  if (key === 'GET /__admin/stats') return sendJson(res, 200, actions.stats());
  if (key === 'POST /__admin/stats/reset') {
    actions.resetStats();
    return sendJson(res, 200, actions.stats());
  }
  if (req.method === 'GET' && path.startsWith('/__admin/ground-truth/')) return groundTruth(actions, url, path.slice('/__admin/ground-truth/'.length), res);
  throw new AdminError(404, `no admin endpoint ${key}`);
}

export async function handleAdmin(actions: AdminActions, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
  try {
    await route(actions, req, url, res);
  } catch (error) {
    const status = error instanceof AdminError ? error.status : 500;
    if (!res.headersSent) sendJson(res, status, { error: (error as Error).message });
    else res.destroy();
  }
}
