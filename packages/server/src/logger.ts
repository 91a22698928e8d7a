/**
 * Structured-enough logging without a dependency: `fn() [key:value] message`. The server never puts
 * internal details in wire errors; they go here instead.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const LogLevels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LogLevels;

/** A logger writing one line per entry to stderr, at `level` and above. */
export function createConsoleLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const threshold = LogLevels[level];
  const at = (name: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (LogLevels[name] < threshold) {
      return;
    }
    const tags = fields
      ? Object.entries(fields)
          .map(([k, v]) => ` [${k}:${typeof v === 'string' ? v : JSON.stringify(v)}]`)
          .join('')
      : '';
    write(`${new Date().toISOString()} ${name.toUpperCase()} ${message}${tags}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
