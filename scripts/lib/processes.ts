// Child processes for the demo, the benchmark and the end-to-end tests: the simulator (its CLI) and the tap
// (its built bin), with their output collected.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';

export const TAP_BIN = new URL('../../src/tap/bin.js', import.meta.url).pathname;
export const SIMULATOR_BIN = new URL('../../src/simulator/cli.js', import.meta.url).pathname;

export interface RunningSimulator {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the simulator CLI and resolves with its URL once it prints `listening on URL`. `lowPriority`: at the lowest
 * CPU priority, so that on a machine with few cores its work (rendering other layouts costs it several times its own)
 * takes the CPU the tap leaves rather than preempting it: the tap's CPU per record then measures the tap's work.
 */
export function startSimulatorProcess(args: string[], options: { lowPriority?: boolean } = {}): Promise<RunningSimulator> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIMULATOR_BIN, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    if (options.lowPriority && child.pid !== undefined) {
      try {
        setPriority(child.pid, 19);
      } catch {
        // Not allowed here: measured at the same priority.
      }
    }
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('the simulator did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (!m?.[1]) return reject(new Error(`unexpected first line from the simulator: ${line}`));
      resolve({
        url: m[1],
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export interface TapResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the built tap with `args`, its stdout into `stdoutFile`; resolves when it exits. */
export function runTapProcess(args: string[], stdoutFile: string, env: NodeJS.ProcessEnv = process.env): Promise<TapResult> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(stdoutFile);
    const child = spawn(process.execPath, [TAP_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.pipe(out);
    child.once('error', reject);
    child.once('close', (code, signal) => out.end(() => resolve({ code, signal, stderr })));
  });
}

/** The per-stream summary of the tap's last `sync finished` log line. */
export function syncSummary(stderr: string): { requests: number; retries: number; max_rss_mb: number; cpu_s: number; streams: Record<string, { records: number; pages: number; seconds: number }> } | null {
  const line = stderr.split('\n').find((l) => l.startsWith('INFO sync finished '));
  return line ? JSON.parse(line.slice('INFO sync finished '.length)) : null;
}

/** The value of the last STATE message in a file of Singer output ({} when there is none). */
export function lastState(file: string): unknown {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"STATE"'));
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as { value: unknown }).value : {};
}
