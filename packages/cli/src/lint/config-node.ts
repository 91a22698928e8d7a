/**
 * One tree for every config format the linter reads (XML plist, binary plist, JSON, static app.config), so the
 * iOS and Expo rules are written once. Each node keeps the line it came from (`undefined` for binary plists)
 * because a finding without a line makes the user search for it.
 * @module
 */

export type ConfigNode = ConfigDict | ConfigArray | ConfigScalar;

export interface ConfigDict {
  readonly kind: 'dict';
  readonly line: number | undefined;
  readonly entries: readonly ConfigEntry[];
}

export interface ConfigArray {
  readonly kind: 'array';
  readonly line: number | undefined;
  readonly items: readonly ConfigNode[];
}

export type ConfigScalar =
  | { readonly kind: 'string'; readonly line: number | undefined; readonly value: string }
  | { readonly kind: 'number'; readonly line: number | undefined; readonly value: number }
  | { readonly kind: 'boolean'; readonly line: number | undefined; readonly value: boolean }
  | { readonly kind: 'null'; readonly line: number | undefined }
  /** Plist values no rule reads (`date`, `data`, `uid`): kept so a dict still has the key. */
  | { readonly kind: 'other'; readonly line: number | undefined; readonly type: string };

export interface ConfigEntry {
  readonly key: string;
  /** Line of the key itself (`<key>` in a plist), which is where a user looks for it. */
  readonly line: number | undefined;
  readonly value: ConfigNode;
}

/** The entry for `key` in a dict, or undefined. The last one wins on duplicates, as in JSON.parse and plutil. */
export function getEntry(node: ConfigNode | undefined, key: string): ConfigEntry | undefined {
  if (node?.kind !== 'dict') return undefined;
  let found: ConfigEntry | undefined;
  for (const entry of node.entries) if (entry.key === key) found = entry;
  return found;
}

/** The value at `key` when it is a dict; anything else (absent, a string, an array) gives undefined. */
export function getDict(node: ConfigNode | undefined, key: string): ConfigDict | undefined {
  const value = getEntry(node, key)?.value;
  return value?.kind === 'dict' ? value : undefined;
}

/** The line of the deepest entry that exists along `path`, starting from `fallback`: where to add what is missing. */
export function deepestLine(
  node: ConfigNode | undefined,
  path: readonly string[],
  fallback: number | undefined,
): number | undefined {
  let line = fallback;
  let current = node;
  for (const key of path) {
    const entry = getEntry(current, key);
    if (!entry) break;
    line = entry.line ?? line;
    current = entry.value;
  }
  return line;
}

/** Plain JavaScript value of a node, for tests and for comparing what two parsers produced. */
export function toPlain(node: ConfigNode): unknown {
  switch (node.kind) {
    case 'dict': {
      const out: Record<string, unknown> = {};
      // defineProperty, not assignment: a `__proto__` key must stay data, not replace the prototype.
      for (const entry of node.entries) {
        const value = toPlain(entry.value);
        Object.defineProperty(out, entry.key, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return node.items.map(toPlain);
    case 'null':
      return null;
    case 'other':
      return `<${node.type}>`;
    default:
      return node.value;
  }
}
