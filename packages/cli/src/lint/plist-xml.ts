import type { ConfigEntry, ConfigNode } from './config-node.js';
import { ConfigParseError } from './parse-error.js';
import { childElements, parseXml, textContent, type XmlElement } from './xml.js';

/** Nesting deeper than this is not a real Info.plist; refusing it keeps a hostile file from exhausting the stack. */
const MAX_DEPTH = 128;

/**
 * Reads an XML property list (the format Xcode writes for Info.plist and .entitlements) into a ConfigNode,
 * keeping the line of every key and value. Follows Apple's plist DTD: `<plist>` holds one value; a `<dict>`
 * alternates `<key>` and value elements.
 */
export function parsePlistXml(text: string): ConfigNode {
  const root = parseXml(text);
  if (root.name !== 'plist') {
    throw new ConfigParseError(`plist: root element is <${root.name}>, expected <plist>`, root.line);
  }
  const values = childElements(root);
  const [top] = values;
  if (values.length !== 1 || !top) {
    throw new ConfigParseError(`plist: <plist> must contain exactly one value, found ${values.length}`, root.line);
  }
  return readValue(top, 0);
}

function readValue(element: XmlElement, depth: number): ConfigNode {
  if (depth > MAX_DEPTH) throw new ConfigParseError('plist: nested too deeply', element.line);
  const line = element.line;
  switch (element.name) {
    case 'dict':
      return { kind: 'dict', line, entries: readEntries(element, depth) };
    case 'array':
      return { kind: 'array', line, items: childElements(element).map((child) => readValue(child, depth + 1)) };
    case 'string':
      return { kind: 'string', line, value: textContent(element) };
    case 'integer': {
      const raw = textContent(element).trim();
      // Apple's parser accepts decimal with an optional sign, and 0x-prefixed hex.
      const value = /^[+-]?\d+$/.test(raw) ? Number(raw) : /^0x[0-9a-f]+$/i.test(raw) ? Number.parseInt(raw, 16) : NaN;
      if (Number.isNaN(value)) throw new ConfigParseError(`plist: <integer> "${raw}" is not an integer`, line);
      return { kind: 'number', line, value };
    }
    case 'real': {
      const raw = textContent(element).trim();
      const value = Number(raw);
      if (raw === '' || Number.isNaN(value)) throw new ConfigParseError(`plist: <real> "${raw}" is not a number`, line);
      return { kind: 'number', line, value };
    }
    case 'true':
    case 'false':
      return { kind: 'boolean', line, value: element.name === 'true' };
    case 'date':
    case 'data':
      return { kind: 'other', line, type: element.name };
    default:
      throw new ConfigParseError(`plist: unknown element <${element.name}>`, line);
  }
}

function readEntries(dict: XmlElement, depth: number): ConfigEntry[] {
  const children = childElements(dict);
  const entries: ConfigEntry[] = [];
  for (let i = 0; i < children.length; i += 2) {
    const key = children[i];
    const value = children[i + 1];
    if (!key || key.name !== 'key') {
      const found = key?.name ?? '?';
      throw new ConfigParseError(`plist: expected <key> in <dict>, found <${found}>`, key?.line ?? dict.line);
    }
    const name = textContent(key);
    if (!value) throw new ConfigParseError(`plist: key "${name}" has no value`, key.line);
    if (value.name === 'key') {
      throw new ConfigParseError(`plist: key "${name}" is followed by another <key>`, value.line);
    }
    entries.push({ key: name, line: key.line, value: readValue(value, depth + 1) });
  }
  return entries;
}
