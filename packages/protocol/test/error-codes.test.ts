import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, VigilError, isVigilError } from '@vigil/protocol';

const docsPath = fileURLToPath(new URL('../../../../docs/errors.md', import.meta.url));

test('docs/errors.md lists exactly the codes of the table, with their statuses', () => {
  const docs = readFileSync(docsPath, 'utf8');
  const documented = new Map(
    [...docs.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1] as string, Number(m[2])]),
  );
  const defined = new Map(Object.entries(ErrorCodes).map(([code, { status }]) => [code, status]));
  assert.deepEqual([...documented.keys()].sort(), [...defined.keys()].sort());
  for (const [code, status] of defined) {
    assert.equal(documented.get(code), status, `status of ${code}`);
  }
});

test('every code is SCREAMING_SNAKE_CASE with a 4xx/5xx status and a message', () => {
  for (const [code, { status, message }] of Object.entries(ErrorCodes)) {
    assert.match(code, /^[A-Z][A-Z0-9_]+$/);
    assert.ok(status >= 400 && status < 600, code);
    assert.ok(message.length > 0 && message.length <= 256, code);
  }
});

test('VigilError carries code, status and a wire form without internals', () => {
  const cause = new Error('db password is hunter2');
  const error = new VigilError('SIGNAL_DATA_TOO_LONG', undefined, { cause });
  assert.equal(error.code, 'SIGNAL_DATA_TOO_LONG');
  assert.equal(error.status, 413);
  assert.deepEqual(error.toWire(), { code: 'SIGNAL_DATA_TOO_LONG', message: ErrorCodes.SIGNAL_DATA_TOO_LONG.message });
  assert.ok(!JSON.stringify(error.toWire()).includes('hunter2'));
  assert.ok(isVigilError(error));
  assert.ok(!isVigilError(new Error('x')));
  assert.ok(!isVigilError({ code: 'INTERNAL' }));
});

test('fromWire keeps known codes and turns unknown ones into INTERNAL', () => {
  assert.equal(VigilError.fromWire({ code: 'RATE_LIMITED', message: 'slow' }).code, 'RATE_LIMITED');
  assert.equal(VigilError.fromWire({ code: 'toString' }).code, 'INTERNAL');
  assert.equal(VigilError.fromWire({}).code, 'INTERNAL');
  assert.equal(new VigilError('INTERNAL', 'x'.repeat(1000)).message.length, 256);
});
