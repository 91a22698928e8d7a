import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEntry, toPlain } from '../src/lint/config-node.js';
import { readStaticAppConfig } from '../src/lint/js-config.js';
import { parseJsonWithLines } from '../src/lint/literal.js';
import { ConfigParseError } from '../src/lint/parse-error.js';

function assertParseError(run: () => unknown, line: number | undefined, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigParseError, `expected ConfigParseError, got ${String(error)}`);
    assert.equal(error.line, line, `line of "${error.message}"`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('JSON: values match JSON.parse, keys keep their lines', () => {
  const text = '{\n  "expo": {\n    "ios": { "infoPlist": { "UIBackgroundModes": ["audio"] } },\n    "n": -1.5e2, "t": true, "f": false, "z": null,\n    "s": "a\\"\\u00e9\\n"\n  }\n}\n';
  const node = parseJsonWithLines(text);
  assert.deepEqual(toPlain(node), JSON.parse(text));
  const expo = getEntry(node, 'expo');
  assert.equal(expo?.line, 2);
  assert.equal(getEntry(expo?.value, 'ios')?.line, 3);
  assert.equal(getEntry(expo?.value, 's')?.line, 5);
});

test('JSON: a __proto__ key stays data', () => {
  assert.deepEqual(Object.keys(toPlain(parseJsonWithLines('{"__proto__": {"x": 1}}')) as object), ['__proto__']);
});

test('JSON: syntax errors carry the line (strict JSON, as Expo reads app.json)', () => {
  assertParseError(() => parseJsonWithLines('{\n  "a": 1,\n}'), 3, /expected a "quoted" key/);
  assertParseError(() => parseJsonWithLines('{\n  // comment\n  "a": 1 }'), 2, /comments are not allowed in JSON/);
  assertParseError(() => parseJsonWithLines("{\n 'a': 1 }"), 2, /quoted/);
  assertParseError(() => parseJsonWithLines('[1, 2,]'), 1, /unexpected "]"/);
  assertParseError(() => parseJsonWithLines('{"a": 1} x'), 1, /unexpected text after the value/);
  assertParseError(() => parseJsonWithLines('{"a": "\n"}'), 1, /line break inside a string/);
  assertParseError(() => parseJsonWithLines('{\n"a": \n'), 3, /unexpected end of input/);
});

test('app.config: static object literals are read without executing anything', () => {
  const source = [
    "import type { ExpoConfig } from 'expo/config';",
    '// export default { nope: true }  (a comment, not the export)',
    "const note = `not ${'the'} config`;",
    'const config: ExpoConfig = {',
    "  name: 'Demo', 'slug': \"demo\", 0x10: 1,",
    '  ios: { infoPlist: { UIBackgroundModes: [`audio`, \'voip\',] as string[], }, },',
    '  extra: undefined,',
    '} satisfies ExpoConfig;',
    'export default config;',
  ].join('\n');
  const node = readStaticAppConfig(source);
  assert.deepEqual(toPlain(node), {
    name: 'Demo', slug: 'demo', '0x10': 1, ios: { infoPlist: { UIBackgroundModes: ['audio', 'voip'] } }, extra: null,
  });
  assert.equal(getEntry(node, 'ios')?.line, 6);
  assert.deepEqual(toPlain(readStaticAppConfig('module.exports = { a: [1, -2, .5] };')), { a: [1, -2, 0.5] });
  assert.deepEqual(toPlain(readStaticAppConfig('exports.default = {a: 1}')), { a: 1 });
});

test('app.config: computed configs are refused with the reason and line', () => {
  assertParseError(() => readStaticAppConfig('export default ({ config }) => ({ ...config });'), 1, /is a function/);
  assertParseError(() => readStaticAppConfig('\nexport default async function () { return {}; }'), 2, /is a function/);
  assertParseError(() => readStaticAppConfig('export default defineConfig({ a: 1 });'), 1, /calling `defineConfig\(\)`/);
  assertParseError(() => readStaticAppConfig('export default {\n  name: process.env.NAME,\n};'), 2, /`process` is computed at runtime/);
  assertParseError(() => readStaticAppConfig('export default {\n  ...base,\n};'), 2, /spread/);
  assertParseError(() => readStaticAppConfig('module.exports = {\n  [key]: 1 };'), 2, /computed key/);
  assertParseError(() => readStaticAppConfig('module.exports = {\n  name,\n};'), 2, /shorthand/);
  assertParseError(() => readStaticAppConfig('module.exports = { a: `x ${y}` };'), 1, /template/);
  assertParseError(() => readStaticAppConfig('const a = 1;'), undefined, /no `export default`/);
  assertParseError(() => readStaticAppConfig('import c from "./c";\nexport default c;'), 2, /`c` is not declared as an object literal/);
});
