// Command-line flags of the simulator CLI -> startSimulator options.
import { LAYOUT_VARIATIONS, VARIED } from './api/layout.js';
import { parseDatetime } from './datetime.js';
import type { SimulatorOptions } from './server.js';
import { ACCOUNT_NAMES, isAccountName } from './world/accounts.js';
import { isScaleName } from './world/scale.js';

export interface CliOptions {
  simulator: SimulatorOptions;
  groundTruthDir: string | null;
  help: boolean;
}

export const USAGE = `usage: node dist/src/simulator/cli.js [--port N] [--seed N] [--scale small|medium|large] [--api-key K]
  [--ground-truth DIR] [--latency-ms N] [--jitter-ms N] [--error-rate P] [--reset-rate P] [--hang-rate P]
  [--truncate-rate P] [--html-rate P] [--throttle-rate P] [--hostile-rate P] [--rate-limit-speedup N] [--rate-limit-factor N] [--no-rate-limits]
  [--next-origin URL] [--refuse-future-bounds] [--data-end ISO] [--account ${ACCOUNT_NAMES.join('|')}]
  [--layout varied|shuffle,pretty,escapes,...]`;

export class CliError extends Error {}

type Setter = (options: CliOptions, value: string, flag: string) => void;

function number(flag: string, value: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new CliError(`${flag} expects ${expected}, got '${value}'`);
  return n;
}

const probability = (flag: string, value: string): number => number(flag, value, (n) => n >= 0 && n <= 1, 'a probability between 0 and 1');
const nonNegative = (flag: string, value: string): number => number(flag, value, (n) => n >= 0, 'a number >= 0');

const VALUE_FLAGS: Record<string, Setter> = {
  '--port': (o, v, f) => void (o.simulator.port = number(f, v, (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number')),
  '--seed': (o, v, f) => void (o.simulator.seed = number(f, v, Number.isInteger, 'an integer')),
  '--scale': (o, v, f) => {
    if (!isScaleName(v)) throw new CliError(`${f} expects small, medium or large, got '${v}'`);
    o.simulator.scale = v;
  },
  '--api-key': (o, v, f) => {
    if (v === '') throw new CliError(`${f} expects a key`);
    o.simulator.apiKey = v;
  },
  '--ground-truth': (o, v) => void (o.groundTruthDir = v),
  '--latency-ms': (o, v, f) => void (o.simulator.latencyMs = nonNegative(f, v)),
  '--jitter-ms': (o, v, f) => void (o.simulator.jitterMs = nonNegative(f, v)),
  '--error-rate': (o, v, f) => void (o.simulator.errorRate = probability(f, v)),
  '--reset-rate': (o, v, f) => void (o.simulator.resetRate = probability(f, v)),
  '--hang-rate': (o, v, f) => void (o.simulator.hangRate = probability(f, v)),
  '--truncate-rate': (o, v, f) => void (o.simulator.truncateRate = probability(f, v)),
  '--html-rate': (o, v, f) => void (o.simulator.htmlRate = probability(f, v)),
  '--throttle-rate': (o, v, f) => void (o.simulator.throttleRate = probability(f, v)),
  '--hostile-rate': (o, v, f) => void (o.simulator.hostileRate = probability(f, v)),
  '--rate-limit-speedup': (o, v, f) => void (o.simulator.rateLimitSpeedup = number(f, v, (n) => n > 0, 'a number > 0')),
  '--rate-limit-factor': (o, v, f) => void (o.simulator.rateLimitFactor = number(f, v, (n) => n > 0, 'a number > 0')),
  '--next-origin': (o, v) => void (o.simulator.nextOrigin = v),
  '--account': (o, v, f) => {
    if (!isAccountName(v)) throw new CliError(`${f} expects one of ${ACCOUNT_NAMES.join(', ')}, got '${v}'`);
    o.simulator.account = v;
  },
  '--layout': (o, v, f) => {
    const names = v.split(',').filter((name) => name !== '');
    const known = [VARIED, ...LAYOUT_VARIATIONS] as readonly string[];
    const unknown = names.find((name) => !known.includes(name));
    if (unknown !== undefined) throw new CliError(`${f} expects a comma-separated list of ${known.join(', ')}; got '${unknown}'`);
    o.simulator.layout = names;
  },
  '--data-end': (o, v, f) => {
    if (parseDatetime(v) === null) throw new CliError(`${f} expects an ISO 8601 datetime, got '${v}'`);
    o.simulator.dataEnd = v;
  },
};

/** Parses `--flag value` and `--flag=value`; throws CliError with a one-line message. */
export function parseCliArgs(args: readonly string[]): CliOptions {
  const options: CliOptions = { simulator: {}, groundTruthDir: null, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag = '', inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--no-rate-limits' && inline === undefined) options.simulator.rateLimits = false;
    else if (flag === '--refuse-future-bounds' && inline === undefined) options.simulator.refuseFutureBounds = true;
    else if ((flag === '--help' || flag === '-h') && inline === undefined) options.help = true;
    else {
      const set = VALUE_FLAGS[flag];
      if (!set) throw new CliError(`unknown argument '${arg}' (see --help)`);
      const value = inline ?? args[++i];
      if (value === undefined) throw new CliError(`${flag} needs a value`);
      set(options, value, flag);
    }
  }
  return options;
}
