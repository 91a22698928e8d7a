import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionId, parseSessionId } from '@vigil/protocol';

test('a minted session id round-trips and is path-safe', () => {
  const id = createSessionId({ apiKey: '47000001', mediaMode: 'routed', location: '10.1.2.3', nowMs: 1735689600000 });
  assert.match(id, /^1_[A-Za-z0-9_-]+$/);
  assert.ok(id.length < 255);
  const fields = parseSessionId(id);
  assert.equal(fields?.apiKey, '47000001');
  assert.equal(fields?.mediaMode, 'routed');
  assert.equal(fields?.location, '10.1.2.3');
  assert.equal(fields?.createdAtMs, 1735689600000);
  assert.equal(parseSessionId(createSessionId({ apiKey: '1' }))?.mediaMode, 'relayed');
});

test('the layout is the one the OpenTok SDK decodes (fields[1] is the API key)', () => {
  const id = createSessionId({ apiKey: '47000001' });
  const raw = Buffer.from(id.slice(2).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('ascii');
  const fields = raw.split('~');
  assert.equal(fields[0], '1');
  assert.equal(fields[1], '47000001');
  assert.equal(fields.length, 6);
});

test('malformed ids are refused, including ones the SDK would accept (P17)', () => {
  const sdkFixture = '1_MX4xMjM0NTZ-flNhdCBNYXIgMTUgMTQ6NDI6MjMgUERUIDIwMTR-MC40OTAxMzAyNX4';
  for (const bad of [
    '',
    'x',
    '1_',
    '1_!!!',
    '3_MX40NzAwMDAwMX4',
    'XX' + Buffer.from('~47000001~').toString('base64url'),
    '1_' + Buffer.from('1~47000001~~notanumber~abc~P').toString('base64url'),
    '1_' + Buffer.from('1~47000001~~123~abc~Z').toString('base64url'),
    sdkFixture,
    '1_' + 'A'.repeat(300),
    '../../etc/passwd',
  ]) {
    assert.equal(parseSessionId(bad), undefined, bad);
  }
});

test('createSessionId refuses keys that are not path-safe', () => {
  assert.throws(() => createSessionId({ apiKey: 'a~b' }), TypeError);
  assert.throws(() => createSessionId({ apiKey: 'a/b' }), TypeError);
});
