import type { ConfigNode } from './config-node.js';
import { createLineIndex } from './line-index.js';
import { parseJsLiteral } from './literal.js';
import { ConfigParseError } from './parse-error.js';

/**
 * Best-effort static read of `app.config.js` / `app.config.ts`, without executing it: running app code from a
 * linter would be a security hole in CI and would need the app's dependencies installed. Supported shapes:
 *
 *   export default { … }                      module.exports = { … }
 *   const config = { … }; export default config;   (also `const config: ExpoConfig = …`)
 *
 * where `{ … }` is a plain literal (see `parseJsLiteral`). Anything else throws a ConfigParseError saying why
 * (a function export, a spread, a call…), which the caller reports as EXPO_CONFIG_NOT_STATIC.
 */
export function readStaticAppConfig(source: string): ConfigNode {
  const lineAt = createLineIndex(source);
  const tokens = tokenize(source);
  const exported = findExport(tokens);
  if (!exported) throw new ConfigParseError('no `export default` or `module.exports =` found', undefined);
  const first = tokens[exported];
  if (!first) throw new ConfigParseError('nothing is exported', lineAt(source.length));
  if (first.text === '{') return parseJsLiteral(source, first.start).node;
  const next = tokens[exported + 1];
  // `export default config;` (a name, then the end of the statement): look for `const config = { … }`.
  const endsStatement = next === undefined || next.text === ';' || next.kind === 'word';
  if (first.kind === 'word' && !KEYWORDS.has(first.text) && endsStatement) {
    const declared = findDeclaration(tokens, first.text);
    if (declared?.text === '{') return parseJsLiteral(source, declared.start).node;
    const message = `\`${first.text}\` is not declared as an object literal in this file`;
    throw new ConfigParseError(message, lineAt(first.start));
  }
  const what = first.text === '(' || first.text === 'async' || first.text === 'function'
    ? 'the config is a function, evaluated by Expo at build time'
    : next?.text === '('
      ? `the config is the result of calling \`${first.text}()\``
      : `the exported value starts with \`${first.text}\``;
  throw new ConfigParseError(what, lineAt(first.start));
}

interface Token {
  readonly kind: 'word' | 'punct' | 'string';
  readonly text: string;
  readonly start: number;
  /** Bracket depth before the token: only top-level statements can be the export. */
  readonly depth: number;
}

const KEYWORDS = new Set(['function', 'async', 'class', 'new', 'await', 'typeof', 'void']);

/** Index of the first token of the exported expression, or undefined. */
function findExport(tokens: readonly Token[]): number | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || t.depth !== 0 || t.kind !== 'word') continue;
    if (t.text === 'export' && tokens[i + 1]?.text === 'default') return i + 2;
    const dotted = tokens.slice(i, i + 4).map((x) => x.text).join(' ');
    if (dotted === 'module . exports =') return i + 4;
    if (dotted === 'exports . default =') return i + 4;
  }
  return undefined;
}

/** The first token of `const|let|var name (: Type)? = …` at top level. */
function findDeclaration(tokens: readonly Token[], name: string): Token | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || t.depth !== 0 || !['const', 'let', 'var'].includes(t.text) || tokens[i + 1]?.text !== name) continue;
    for (let j = i + 2; j < tokens.length; j++) {
      const u = tokens[j];
      if (u?.depth === 0 && u.text === '=') return tokens[j + 1];
      if (u?.depth === 0 && u.text === ';') break;
    }
  }
  return undefined;
}

/**
 * A coarse JavaScript/TypeScript tokenizer: enough to skip strings, template literals and comments and to
 * track bracket depth. It does not tell regular expressions from division; a regex containing a quote or a
 * bracket can confuse it, in which case the export is not found and the config is reported as not static.
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end + 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      const start = i;
      i = skipString(source, i);
      tokens.push({ kind: 'string', text: source.slice(start, i), start, depth });
    } else if (/[A-Za-z_$]/.test(c)) {
      const match = /[A-Za-z0-9_$]+/y;
      match.lastIndex = i;
      const word = match.exec(source)?.[0] ?? c;
      tokens.push({ kind: 'word', text: word, start: i, depth });
      i += word.length;
    } else {
      if (c === '}' || c === ']' || c === ')') depth = Math.max(0, depth - 1);
      tokens.push({ kind: 'punct', text: c, start: i, depth });
      if (c === '{' || c === '[' || c === '(') depth++;
      i++;
    }
  }
  return tokens;
}

/** Index just after the string starting at `start`; template `${…}` parts are skipped by brace counting. */
function skipString(source: string, start: number): number {
  const quote = source[start];
  let braces = 0;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (quote === '`' && c === '$' && source[i + 1] === '{') {
      braces++;
      i++;
    } else if (braces > 0 && c === '}') braces--;
    else if (braces === 0 && c === quote) return i + 1;
    else if (c === '\n' && quote !== '`') return i + 1;
  }
  return source.length;
}
