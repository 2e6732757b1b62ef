// The only place that writes log lines. Everything goes to stderr; secrets are masked in every line.

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const secrets = new Set<string>();
let threshold: number = ORDER.info;
let sink: (line: string) => void = (line) => {
  process.stderr.write(line);
};

/** Registers a value that must never appear in any output (the API key). */
export function registerSecret(value: string): void {
  if (value.length >= 4) secrets.add(value);
}

/** Masks every registered secret, and anything that looks like a Klaviyo private key. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out.replace(/pk_[A-Za-z0-9_]{6,}/g, 'pk_***');
}

export function setLogLevel(level: Level): void {
  threshold = ORDER[level];
}

/** Redirects log lines (tests). */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

/** Writes one line as it is (redacted), whatever the log level: metrics, which have their own setting. */
export function writeRaw(line: string): void {
  sink(redact(line) + '\n');
}

/** Whether lines of `level` are written. */
export function logs(level: Level): boolean {
  return ORDER[level] >= threshold;
}

function emit(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold) return;
  const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  sink(redact(`${level.toUpperCase()} ${message}${extra}`) + '\n');
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => emit('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => emit('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => emit('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => emit('error', message, fields),
};
