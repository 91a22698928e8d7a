import type { ConfigEntry, ConfigNode } from './config-node.js';
import { createLineIndex } from './line-index.js';
import { ConfigParseError } from './parse-error.js';

/**
 * Reads JSON, or a JavaScript object literal, into a ConfigNode that keeps the line of every key. JSON.parse
 * cannot do that, and findings in app.json should point at `"UIBackgroundModes"`, not at line 1.
 *
 * - `json` mode is strict JSON (RFC 8259), as Expo reads app.json.
 * - `js` mode accepts what a hand-written `export default { … }` uses: comments, unquoted and numeric keys,
 *   single quotes, template strings without `${}`, trailing commas, `undefined`. Anything computed (spreads,
 *   variables, calls, computed keys, shorthand properties, `${}`) throws: the caller reports the config as
 *   "not static" instead of guessing, since vigil lint never executes app code.
 * @module
 */
export type LiteralMode = 'json' | 'js';

const MAX_DEPTH = 128;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JS_NUMBER = /[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y;
const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/y;
/** `as const`, `as ExpoConfig`, `satisfies ExpoConfig` after a value: types only, no effect on the value. */
const TYPE_ASSERTION = /\s*(?:as|satisfies)\s+[A-Za-z_$][\w$.]*(?:<[^<>]*>)?(?:\[\])*/y;

/** Parses a whole JSON document (nothing but whitespace may follow the value). */
export function parseJsonWithLines(text: string): ConfigNode {
  const parser = new LiteralParser(text, 'json');
  const node = parser.value(0);
  parser.expectEnd();
  return node;
}

/**
 * Parses one JavaScript literal value starting at `start` and returns it with the offset just after it.
 * Used on the expression after `export default` / `module.exports =` in app.config.js/ts.
 */
export function parseJsLiteral(text: string, start: number): { node: ConfigNode; end: number } {
  const parser = new LiteralParser(text, 'js', start);
  const node = parser.value(0);
  return { node, end: parser.position };
}

class LiteralParser {
  readonly #text: string;
  readonly #js: boolean;
  readonly #lineAt: (offset: number) => number;
  #i: number;

  constructor(text: string, mode: LiteralMode, start = 0) {
    this.#text = text;
    this.#js = mode === 'js';
    this.#lineAt = createLineIndex(text);
    this.#i = start;
  }

  get position(): number {
    return this.#i;
  }

  expectEnd(): void {
    this.#skip();
    if (this.#i < this.#text.length) this.#fail('unexpected text after the value');
  }

  value(depth: number): ConfigNode {
    const node = this.#value(depth);
    if (this.#js) this.#match(TYPE_ASSERTION);
    return node;
  }

  #value(depth: number): ConfigNode {
    if (depth > MAX_DEPTH) this.#fail('nested too deeply');
    this.#skip();
    const c = this.#text[this.#i];
    const line = this.#lineAt(this.#i);
    if (c === '{') return this.#object(depth, line);
    if (c === '[') return this.#array(depth, line);
    if (c === '"' || (this.#js && (c === "'" || c === '`'))) return { kind: 'string', line, value: this.#string() };
    if (c === undefined) return this.#fail('unexpected end of input');
    if (this.#text.startsWith('...', this.#i)) return this.#fail('a spread (...) is computed at runtime');
    const number = this.#match(this.#js ? JS_NUMBER : JSON_NUMBER);
    if (number !== undefined) return { kind: 'number', line, value: Number(number) };
    const word = this.#match(IDENTIFIER);
    if (word === 'true' || word === 'false') return { kind: 'boolean', line, value: word === 'true' };
    if (word === 'null' || (this.#js && word === 'undefined')) return { kind: 'null', line };
    if (word !== undefined && this.#js) return this.#fail(`\`${word}\` is computed at runtime`, line);
    return this.#fail(`unexpected ${word !== undefined ? `"${word}"` : `"${c}"`}`, line);
  }

  #object(depth: number, line: number): ConfigNode {
    this.#i++;
    const entries: ConfigEntry[] = [];
    for (;;) {
      this.#skip();
      if (this.#text[this.#i] === '}' && (entries.length === 0 || this.#js)) break;
      const keyLine = this.#lineAt(this.#i);
      const key = this.#key();
      this.#skip();
      if (this.#text[this.#i] !== ':') {
        const what = this.#js ? `property "${key}" is a shorthand or method (computed at runtime)` : 'expected ":"';
        this.#fail(what, keyLine);
      }
      this.#i++;
      entries.push({ key, line: keyLine, value: this.value(depth + 1) });
      this.#skip();
      if (this.#text[this.#i] === ',') this.#i++;
      else if (this.#text[this.#i] === '}') break;
      else this.#fail('expected "," or "}"');
    }
    this.#i++;
    return { kind: 'dict', line, entries };
  }

  #array(depth: number, line: number): ConfigNode {
    this.#i++;
    const items: ConfigNode[] = [];
    for (;;) {
      this.#skip();
      if (this.#text[this.#i] === ']' && (items.length === 0 || this.#js)) break;
      items.push(this.value(depth + 1));
      this.#skip();
      if (this.#text[this.#i] === ',') this.#i++;
      else if (this.#text[this.#i] === ']') break;
      else this.#fail('expected "," or "]"');
    }
    this.#i++;
    return { kind: 'array', line, items };
  }

  #key(): string {
    const c = this.#text[this.#i];
    if (c === '"' || (this.#js && (c === "'" || c === '`'))) return this.#string();
    if (!this.#js) return this.#fail('expected a "quoted" key');
    if (c === '[') return this.#fail('a computed key ([…]) is evaluated at runtime');
    if (this.#text.startsWith('...', this.#i)) return this.#fail('a spread (...) is computed at runtime');
    const word = this.#match(IDENTIFIER) ?? this.#match(JS_NUMBER);
    return word ?? this.#fail('expected a property name');
  }

  #string(): string {
    const quote = this.#text[this.#i];
    const start = this.#i;
    let out = '';
    this.#i++;
    for (;;) {
      const c = this.#text[this.#i];
      if (c === undefined) return this.#fail('unterminated string', this.#lineAt(start));
      if (c === quote) break;
      if (c === '\n' && quote !== '`') this.#fail('line break inside a string');
      if (c.charCodeAt(0) < 0x20 && !this.#js) this.#fail('control character inside a string');
      if (quote === '`' && c === '$' && this.#text[this.#i + 1] === '{') {
        this.#fail('a template ${…} is computed at runtime');
      }
      if (c === '\\') out += this.#escape();
      else {
        out += c;
        this.#i++;
      }
    }
    this.#i++;
    return out;
  }

  #escape(): string {
    const c = this.#text[this.#i + 1];
    this.#i += 2;
    if (c !== undefined && Object.hasOwn(SIMPLE_ESCAPES, c)) return SIMPLE_ESCAPES[c] ?? '';
    if (c === 'u') {
      const hex = this.#text.slice(this.#i, this.#i + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail('bad \\u escape');
      this.#i += 4;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    if (this.#js) {
      if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(this.#text.slice(this.#i, this.#i + 2))) {
        this.#i += 2;
        return String.fromCharCode(Number.parseInt(this.#text.slice(this.#i - 2, this.#i), 16));
      }
      if (c === '\n') return ''; // line continuation
      if (c === '0') return '\0';
      if (c === 'v') return '\v';
      if (c !== undefined) return c; // \' \` and identity escapes
    }
    return this.#fail(`bad escape \\${c ?? ''}`);
  }

  /** Skips whitespace, and in `js` mode comments too. */
  #skip(): void {
    const text = this.#text;
    for (;;) {
      const c = text[this.#i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF') this.#i++;
      else if (!this.#js && (text.startsWith('//', this.#i) || text.startsWith('/*', this.#i))) {
        this.#fail('comments are not allowed in JSON');
      }
      else if (this.#js && text.startsWith('//', this.#i)) {
        const end = text.indexOf('\n', this.#i);
        this.#i = end < 0 ? text.length : end + 1;
      } else if (this.#js && text.startsWith('/*', this.#i)) {
        const end = text.indexOf('*/', this.#i + 2);
        if (end < 0) this.#fail('unterminated comment');
        this.#i = end + 2;
      } else return;
    }
  }

  #match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#i;
    const match = pattern.exec(this.#text);
    if (!match || match[0] === '') return undefined;
    this.#i = pattern.lastIndex;
    return match[0];
  }

  #fail(message: string, line = this.#lineAt(this.#i)): never {
    // JSON errors name the format (they read like a syntax error); js errors explain why it is not static.
    throw new ConfigParseError(this.#js ? message : `JSON: ${message}`, line);
  }
}
