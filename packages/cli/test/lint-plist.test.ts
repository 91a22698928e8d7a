import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoPath } from '@vigil/test-kit';
import { toPlain, type ConfigNode } from '../src/lint/config-node.js';
import { lintFiles } from '../src/lint/index.js';
import { ConfigParseError } from '../src/lint/parse-error.js';
import { parsePlist } from '../src/lint/plist.js';
import { parseBinaryPlist } from '../src/lint/plist-binary.js';
import { parsePlistXml } from '../src/lint/plist-xml.js';

/** The repo's lint fixtures. */
const fixtures = repoPath('packages', 'cli', 'test', 'fixtures', 'lint');
const fixture = (...parts: string[]): string => join(fixtures, ...parts);

/**
 * A small bplist00 writer, the inverse of the reader: every object is written once in depth-first order
 * (no sharing), integers in the smallest size, ASCII strings as 0x5, others as UTF-16BE (0x6). Deterministic,
 * so the committed binary fixture can be checked against it (set VIGIL_WRITE_FIXTURES=1 to rewrite it).
 */
function writeBinaryPlist(root: ConfigNode): Uint8Array {
  const flat: { node: ConfigNode; children: number[] }[] = [];
  const flatten = (node: ConfigNode): number => {
    const index = flat.length;
    const entry = { node, children: [] as number[] };
    flat.push(entry);
    if (node.kind === 'dict') {
      const keys = node.entries.map((e) => flatten({ kind: 'string', line: undefined, value: e.key }));
      entry.children = [...keys, ...node.entries.map((e) => flatten(e.value))];
    } else if (node.kind === 'array') entry.children = node.items.map(flatten);
    return index;
  };
  flatten(root);
  const refSize = flat.length < 256 ? 1 : 2;
  const uint = (value: number, size: number): number[] =>
    Array.from({ length: size }, (_, i) => Number((BigInt(value) >> BigInt(8 * (size - 1 - i))) & 0xffn));
  const int = (value: number): number[] => {
    if (value >= 0 && value < 2 ** 8) return [0x10, ...uint(value, 1)];
    if (value >= 0 && value < 2 ** 16) return [0x11, ...uint(value, 2)];
    if (value >= 0 && value < 2 ** 32) return [0x12, ...uint(value, 4)];
    const b = new DataView(new ArrayBuffer(8));
    b.setBigInt64(0, BigInt(value));
    return [0x13, ...new Uint8Array(b.buffer)];
  };
  const head = (type: number, count: number): number[] => (count < 15 ? [(type << 4) | count] : [(type << 4) | 0xf, ...int(count)]);
  const encode = ({ node, children }: { node: ConfigNode; children: number[] }): number[] => {
    const refs = children.flatMap((child) => uint(child, refSize));
    switch (node.kind) {
      case 'dict': return [...head(0xd, node.entries.length), ...refs];
      case 'array': return [...head(0xa, node.items.length), ...refs];
      case 'boolean': return [node.value ? 0x09 : 0x08];
      case 'null': return [0x00];
      case 'other': return node.type === 'date' ? [0x33, ...uint(0, 8)] : [0x40];
      case 'number': {
        if (Number.isInteger(node.value)) return int(node.value);
        const b = new DataView(new ArrayBuffer(8));
        b.setFloat64(0, node.value);
        return [0x23, ...new Uint8Array(b.buffer)];
      }
      case 'string': {
        if (/^[\x00-\x7f]*$/.test(node.value)) return [...head(0x5, node.value.length), ...Buffer.from(node.value, 'latin1')];
        const bytes: number[] = [];
        for (let i = 0; i < node.value.length; i++) bytes.push(...uint(node.value.charCodeAt(i), 2));
        return [...head(0x6, node.value.length), ...bytes];
      }
    }
  };
  const out: number[] = [...Buffer.from('bplist00', 'latin1')];
  const offsets = flat.map((object) => {
    const at = out.length;
    out.push(...encode(object));
    return at;
  });
  const tableAt = out.length;
  const offsetSize = tableAt < 256 ? 1 : tableAt < 65536 ? 2 : 4;
  for (const offset of offsets) out.push(...uint(offset, offsetSize));
  out.push(0, 0, 0, 0, 0, 0, offsetSize, refSize, ...uint(flat.length, 8), ...uint(0, 8), ...uint(tableAt, 8));
  return Uint8Array.from(out);
}

const xmlTree = (name: string): ConfigNode => parsePlistXml(readFileSync(fixture('ios', name), 'utf8'));

test('XML plist: every value type, with the line of each key', () => {
  const node = xmlTree('types.plist');
  assert.deepEqual(toPlain(node), {
    string: 'a <tag> & an entity \u263A',
    'long string': 'more than fifteen characters, so the length needs an extra integer object',
    integer: 42, negative: -7, big: 4294967296, real: 2.5, yes: true, no: false,
    date: '<date>', data: '<data>', 'empty array': [], 'empty dict': {},
    nested: { list: ['one', 2, ['three']] },
  });
  assert.equal(node.kind === 'dict' ? node.entries.find((e) => e.key === 'real')?.line : undefined, 16);
});

test('XML plist: structural errors carry the line', () => {
  const cases: [string, number, RegExp][] = [
    ['<plist><dict><key>a</key></dict></plist>', 1, /key "a" has no value/],
    ['<plist>\n<dict>\n<string>x</string>\n</dict></plist>', 3, /expected <key>/],
    ['<plist>\n<dict/>\n<dict/></plist>', 1, /exactly one value/],
    ['<plist><dict><key>n</key>\n<integer>1.5</integer></dict></plist>', 2, /not an integer/],
    ['<dict/>', 1, /root element is <dict>/],
    ['<plist><set/></plist>', 1, /unknown element <set>/],
  ];
  for (const [text, line, pattern] of cases) {
    assert.throws(() => parsePlistXml(text), (error: unknown) =>
      error instanceof ConfigParseError && error.line === line && pattern.test(error.message));
  }
});

test('binary plist: the writer output reads back as the XML tree (types, UTF-16, long lengths)', () => {
  for (const name of ['types.plist', 'voip.plist', 'bare.plist']) {
    const tree = xmlTree(name);
    const binary = writeBinaryPlist(tree);
    const parsed = parsePlist(binary);
    assert.equal(parsed.format, 'binary');
    assert.deepEqual(toPlain(parsed.node), toPlain(tree), name);
    assert.equal(parsed.node.line, undefined);
  }
});

test('binary plist: the committed fixture is what the writer produces from voip.plist', () => {
  const expected = writeBinaryPlist(xmlTree('voip.plist'));
  const path = fixture('ios', 'voip.binary.plist');
  if (process.env.VIGIL_WRITE_FIXTURES === '1') writeFileSync(path, expected);
  assert.deepEqual(new Uint8Array(readFileSync(path)), expected);
});

test('binary plist: files written by another implementation (Python plistlib) read back', () => {
  // Made with: python3 -c 'import plistlib,sys; sys.stdout.buffer.write(plistlib.dumps(plistlib.load(open(sys.argv[1],"rb")), fmt=plistlib.FMT_BINARY, sort_keys=False))' X.plist
  for (const name of ['types', 'voip']) {
    const node = parseBinaryPlist(readFileSync(fixture('ios', `${name}.python-binary.plist`)));
    assert.deepEqual(toPlain(node), toPlain(xmlTree(`${name}.plist`)), name);
  }
});

test('binary plist: corrupt or hostile files fail with ConfigParseError, never hang', () => {
  const good = writeBinaryPlist(xmlTree('voip.plist'));
  const patched = (at: number, ...bytes: number[]): Uint8Array => {
    const copy = Uint8Array.from(good);
    copy.set(bytes, at < 0 ? copy.length + at : at);
    return copy;
  };
  // Trailer layout from the end: -26 offsetIntSize, -25 refSize, -24..-17 numObjects, -16..-9 top, -8..-1 table offset.
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', good.subarray(0, 30), /too short/],
    ['other version', patched(6, 0x31, 0x35), /unsupported header "bplist15"/],
    ['truncated', good.subarray(0, good.length - 40), /^binary plist: /],
    ['offset size 0', patched(-26, 0), /bad offset size/],
    ['top object out of range', patched(-9, 0xff), /top object out of range/],
    ['offset table past the end', patched(-3, 0xff), /offset table out of range/],
    ['unknown marker', patched(8, 0x77), /unknown marker 0x77/],
  ];
  // An array that contains itself: object 0 = [ref 0].
  const cycle = Uint8Array.from([...Buffer.from('bplist00'), 0xa1, 0x00, 8, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
  cases.push(['cycle', cycle, /contains itself/]);
  // A string claiming 2^40 bytes.
  const huge = Uint8Array.from([...Buffer.from('bplist00'), 0x5f, 0x13, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 18]);
  cases.push(['huge length', huge, /out of range|past the end/]);
  for (const [name, bytes, pattern] of cases) {
    assert.throws(() => parseBinaryPlist(bytes), (error: unknown) => error instanceof ConfigParseError && pattern.test(error.message), name);
  }
});

test('binary plist: shared objects are read once (a 2^40-path DAG parses at once)', () => {
  // Object i (i < 40) is an array [i+1, i+1]; object 40 is "x". Without the cache this is 2^40 visits.
  const n = 40;
  const objects: number[][] = [];
  for (let i = 0; i < n; i++) objects.push([0xa2, i + 1, i + 1]);
  objects.push([0x51, 0x78]);
  const body: number[] = [];
  const offsets: number[] = [];
  for (const object of objects) {
    offsets.push(8 + body.length);
    body.push(...object);
  }
  const tableAt = 8 + body.length;
  const bytes = Uint8Array.from([...Buffer.from('bplist00'), ...body, ...offsets, 0, 0, 0, 0, 0, 0, 1, 1,
    0, 0, 0, 0, 0, 0, 0, n + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, tableAt]);
  const started = Date.now();
  const node = parseBinaryPlist(bytes);
  assert.equal(node.kind, 'array');
  assert.ok(Date.now() - started < 1000);
});

test('lintFiles reads binary Info.plist files; findings have no line', async () => {
  const report = await lintFiles([fixture('ios', 'voip.binary.plist')], { intent: 'audio-video-call' });
  assert.deepEqual(report.findings.map((f) => [f.code, f.line]), [['IOS_VOIP_WITHOUT_CALLKIT', undefined]]);

  const dir = await mkdtemp(join(tmpdir(), 'vigil-lint-'));
  try {
    const clean = join(dir, 'Info.plist');
    await writeFile(clean, writeBinaryPlist(parsePlistXml(readFileSync(fixture('clean-call', 'ios', 'VigilDemo', 'Info.plist'), 'utf8'))));
    const corrupt = join(dir, 'Corrupt.plist');
    await writeFile(corrupt, new Uint8Array(readFileSync(clean)).subarray(0, 60));
    const result = await lintFiles([clean, corrupt], { intent: 'audio-video-call' });
    assert.deepEqual(result.findings.map((f) => [f.file, f.code, f.line]), [[corrupt, 'LINT_PARSE_ERROR', undefined]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
