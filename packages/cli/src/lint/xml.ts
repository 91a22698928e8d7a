import { createLineIndex } from './line-index.js';
import { ConfigParseError } from './parse-error.js';

/**
 * A small, non-validating XML reader for the two XML files the linter reads: plists and AndroidManifest.xml.
 * It keeps the line of every element and attribute (so findings point at them), skips comments, processing
 * instructions and the DOCTYPE (plists carry one), decodes the predefined and numeric entities, and rejects
 * what Xcode and aapt2 would reject: mismatched or unclosed tags, text or a second element after the root.
 * Namespaces are not resolved here; `android:name` is an attribute named `android:name`.
 * @module
 */

export interface XmlElement {
  readonly type: 'element';
  readonly name: string;
  readonly line: number;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlChild[];
}

export interface XmlText {
  readonly type: 'text';
  readonly text: string;
  readonly line: number;
}

export type XmlChild = XmlElement | XmlText;

export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

interface OpenElement {
  name: string;
  line: number;
  attributes: XmlAttribute[];
  children: XmlChild[];
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /[ \t\r\n]*/y;

/** Parses a whole document and returns its root element; throws ConfigParseError with a line on bad input. */
export function parseXml(text: string): XmlElement {
  const lineAt = createLineIndex(text);
  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;

  const fail = (message: string, at: number): never => {
    throw new ConfigParseError(`XML: ${message}`, lineAt(at));
  };
  const readName = (at: number): string => {
    NAME.lastIndex = at;
    const match = NAME.exec(text);
    return match ? match[0] : fail('expected a name', at);
  };
  const skipSpace = (at: number): number => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    return SPACE.lastIndex;
  };
  const skipPast = (at: number, terminator: string, what: string): number => {
    const end = text.indexOf(terminator, at);
    return end < 0 ? fail(`unterminated ${what}`, at) : end + terminator.length;
  };
  const addChild = (child: XmlChild, at: number): void => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(child);
    else if (child.type === 'text') {
      const stray = child.text.search(/\S/);
      if (stray >= 0) fail('text outside the root element', at + stray);
    } else if (root) fail(`second root element <${child.name}>`, at);
    else root = child;
  };

  while (i < text.length) {
    if (text[i] !== '<') {
      const end = text.indexOf('<', i);
      const stop = end < 0 ? text.length : end;
      addChild({ type: 'text', text: decodeEntities(text.slice(i, stop), i, fail), line: lineAt(i) }, i);
      i = stop;
    } else if (text.startsWith('<!--', i)) {
      i = skipPast(i + 4, '-->', 'comment');
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = skipPast(i + 9, ']]>', 'CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element', i);
      addChild({ type: 'text', text: text.slice(i + 9, end - 3), line: lineAt(i) }, i);
      i = end;
    } else if (text.startsWith('<?', i)) {
      i = skipPast(i + 2, '?>', 'processing instruction');
    } else if (text.startsWith('<!', i)) {
      i = skipDeclaration(text, i, fail);
    } else if (text.startsWith('</', i)) {
      const name = readName(i + 2);
      const end = skipSpace(i + 2 + name.length);
      if (text[end] !== '>') fail(`expected ">" to close </${name}`, end);
      const open = stack.pop();
      if (!open) fail(`closing tag </${name}> without an opening tag`, i);
      else if (open.name !== name) fail(`</${name}> does not close <${open.name}> opened on line ${open.line}`, i);
      else addChild(freeze(open), i);
      i = end + 1;
    } else {
      const start = i;
      const name = readName(i + 1);
      const open: OpenElement = { name, line: lineAt(start), attributes: [], children: [] };
      i += 1 + name.length;
      for (;;) {
        const at = skipSpace(i);
        if (text.startsWith('/>', at)) {
          i = at + 2;
          addChild(freeze(open), start);
          break;
        }
        if (text[at] === '>') {
          i = at + 1;
          stack.push(open);
          break;
        }
        if (at === i) fail(`expected whitespace, ">" or "/>" in <${name}>`, at);
        const attrName = readName(at);
        let pos = skipSpace(at + attrName.length);
        if (text[pos] !== '=') fail(`attribute ${attrName} has no value`, pos);
        pos = skipSpace(pos + 1);
        const quote = text[pos];
        if (quote !== '"' && quote !== "'") fail(`attribute ${attrName} value must be quoted`, pos);
        const close = text.indexOf(quote ?? '"', pos + 1);
        if (close < 0) fail(`unterminated value of attribute ${attrName}`, pos);
        const raw = text.slice(pos + 1, close);
        if (raw.includes('<')) fail(`"<" in the value of attribute ${attrName}`, pos);
        open.attributes.push({ name: attrName, value: decodeEntities(raw, pos + 1, fail), line: lineAt(at) });
        i = close + 1;
      }
    }
  }
  const unclosed = stack.pop();
  if (unclosed) throw new ConfigParseError(`XML: <${unclosed.name}> is never closed`, unclosed.line);
  if (!root) throw new ConfigParseError('XML: no root element', text.length > 0 ? lineAt(text.length - 1) : 1);
  return root;
}

/** The attribute named `name` (exact, prefix included), or undefined. */
export function getAttribute(element: XmlElement, name: string): XmlAttribute | undefined {
  return element.attributes.find((attribute) => attribute.name === name);
}

/** The child elements, without text, in document order. */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((child): child is XmlElement => child.type === 'element');
}

/** The concatenated text directly inside `element` (CDATA included), untrimmed. */
export function textContent(element: XmlElement): string {
  return element.children.map((child) => (child.type === 'text' ? child.text : '')).join('');
}

function freeze(open: OpenElement): XmlElement {
  return { type: 'element', name: open.name, line: open.line, attributes: open.attributes, children: open.children };
}

/** Skips `<!DOCTYPE …>` including an internal subset in brackets and quoted strings that may contain ">". */
function skipDeclaration(text: string, start: number, fail: (message: string, at: number) => never): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start + 2; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return i + 1;
  }
  return fail('unterminated declaration', start);
}

const ENTITY = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string, offset: number, fail: (message: string, at: number) => never): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(ENTITY, (whole: string, body: string, index: number) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
        return fail(`invalid character reference ${whole}`, offset + index);
      }
      return String.fromCodePoint(code);
    }
    // Only the five predefined entities exist without a DTD; leave others as written rather than guess.
    return Object.hasOwn(NAMED, body) ? (NAMED[body] ?? whole) : whole;
  });
}
