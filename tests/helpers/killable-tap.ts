// The built tap as a child process that may be SIGKILLed mid-run: after it has sent a number of complete stdout
// lines, or after some milliseconds. stdout is kept as raw bytes, so a line cut short by the kill can be told
// apart from a complete one (only complete lines reach a Singer target).
import { spawn } from 'node:child_process';
import { TAP_BIN, type TapResult } from '../../scripts/lib/processes.js';

export interface KillPlan {
  /** SIGKILL once this many complete lines have arrived on stdout. */
  afterLines?: number;
  /** SIGKILL once `count` complete lines starting with `prefix` have arrived (a kill inside a chosen stream). */
  afterLinesStarting?: { prefix: string; count: number };
  /** SIGKILL this many milliseconds after the spawn. */
  afterMs?: number;
  /** The signal sent instead of SIGKILL (e.g. SIGTERM, for a graceful stop). */
  signal?: NodeJS.Signals;
  /** Send the signal this many times (a second SIGTERM exits at once); default once. */
  times?: number;
}

export interface KillableRun extends TapResult {
  /** Whether the run ended by our SIGKILL (false: it exited on its own before the kill landed). */
  killed: boolean;
  /** The complete lines (each ended by `\n`), without their newline. */
  lines: string[];
  /** Bytes after the last newline: a line the kill cut short ('' when stdout ended cleanly). */
  partial: string;
  /** Milliseconds from the (first) signal to the exit; null when no signal was sent. */
  exitMsAfterSignal: number | null;
}

const NEWLINE = 0x0a;

/** Splits raw stdout into complete lines and the unterminated rest. */
export function splitLines(stdout: Buffer): { lines: string[]; partial: string } {
  const end = stdout.lastIndexOf(NEWLINE);
  const complete = end < 0 ? '' : stdout.subarray(0, end).toString('utf8');
  return { lines: end < 0 ? [] : complete.split('\n'), partial: stdout.subarray(end + 1).toString('utf8') };
}

/** Runs the built tap with `args`; resolves once it has exited (on its own, or by the plan's SIGKILL). */
export function runTapKillable(args: string[], plan: KillPlan, env: NodeJS.ProcessEnv): Promise<KillableRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TAP_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const chunks: Buffer[] = [];
    let newlines = 0;
    let stderr = '';
    let killSent = false;
    let sentAt: number | null = null;
    const kill = (): void => {
      if (killSent || child.exitCode !== null || child.signalCode !== null) return;
      sentAt = Date.now();
      killSent = child.kill(plan.signal ?? 'SIGKILL');
      for (let i = 1; i < (plan.times ?? 1); i++) child.kill(plan.signal ?? 'SIGKILL');
    };
    const timer = plan.afterMs === undefined ? null : setTimeout(kill, plan.afterMs);
    const starting = plan.afterLinesStarting;
    let matching = 0;
    let lineStart = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (killSent) return;
      if (plan.afterLines !== undefined) {
        for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, i + 1)) newlines++;
        if (newlines >= plan.afterLines) kill();
      }
      if (starting) {
        // Lines may be cut across chunks: keep the start of the current line until its newline arrives.
        let from = 0;
        for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, from)) {
          const head = Buffer.concat([lineStart, chunk.subarray(from, Math.min(i, from + starting.prefix.length))]);
          if (head.toString('utf8').startsWith(starting.prefix)) matching++;
          lineStart = Buffer.alloc(0);
          from = i + 1;
        }
        if (lineStart.length < starting.prefix.length) lineStart = Buffer.concat([lineStart, chunk.subarray(from, from + starting.prefix.length)]);
        if (matching >= starting.count) kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const exitMsAfterSignal = sentAt === null ? null : Date.now() - sentAt;
      const killed = killSent && (plan.signal === undefined ? signal === 'SIGKILL' : true);
      resolve({ code, signal, stderr, killed, exitMsAfterSignal, ...splitLines(Buffer.concat(chunks)) });
    });
  });
}
