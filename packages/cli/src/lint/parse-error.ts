/**
 * Thrown by the lint parsers (XML, plist, JSON, app.config) when a file is malformed or cannot be read
 * statically. It never leaves the lint library: `lintFiles` turns it into a finding with the same line.
 */
export class ConfigParseError extends Error {
  override readonly name = 'ConfigParseError';
  /** 1-based line of the problem, when the format has lines. */
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super(message);
    this.line = line;
  }
}
