import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { isVigilError } from '@vigil/protocol';
import { ProjectDirectory, mintClientToken, mintProjectJwt, verifyClientToken } from '@vigil/server';

// Test vectors from opentok-rest.md §6.2 / §6.3 (key, secret and clock fixed there).
const apiKey = '47000001';
const apiSecret = 'fa1e5ec2e7abcdef0123456789abcdef01234567';
const sessionId = '1_MX40NzAwMDAwMX5-MTczNTY4OTYwMDAwMH5aazNxOXdYYlQwYX5Q';
const now = 1735689600;
const JWT_VECTOR =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiI0NzAwMDAwMSIsImlzdCI6InByb2plY3QiLCJpYXQiOjE3MzU2ODk2MDAsImV4cCI6MTczNTY5MzIwMCwic2Vzc2lvbl9pZCI6IjFfTVg0ME56QXdNREF3TVg1LU1UY3pOVFk0T1RZd01EQXdNSDVhYXpOeE9YZFlZbFF3WVg1USIsImNyZWF0ZV90aW1lIjoxNzM1Njg5NjAwLCJub25jZSI6MC41LCJyb2xlIjoibW9kZXJhdG9yIiwiZXhwaXJlX3RpbWUiOjE3MzU2OTMyMDAsImNvbm5lY3Rpb25fZGF0YSI6InVzZXJJZD00MiIsImluaXRpYWxfbGF5b3V0X2NsYXNzX2xpc3QiOiJmb2N1cyBmdWxsIiwic2NvcGUiOiJzZXNzaW9uLmNvbm5lY3QifQ.VDA2mcIJWZ8F1ev6a1PkGW-5QFrIVOd7rqC3GFrpav0';
const T1_VECTOR =
  'T1==cGFydG5lcl9pZD00NzAwMDAwMSZzaWc9YzJkZDFlMjhiNWY1YWMxZWI4YmM0YjA1MWZhZDIyNmQyMDRmMDM1ZTpzZXNzaW9uX2lkPTFfTVg0ME56QXdNREF3TVg1LU1UY3pOVFk0T1RZd01EQXdNSDVhYXpOeE9YZFlZbFF3WVg1USZjcmVhdGVfdGltZT0xNzM1Njg5NjAwJm5vbmNlPTAuNSZyb2xlPW1vZGVyYXRvciZleHBpcmVfdGltZT0xNzM1NjkzMjAwJmNvbm5lY3Rpb25fZGF0YT11c2VySWQlM0Q0MiZpbml0aWFsX2xheW91dF9jbGFzc19saXN0PWZvY3VzJTIwZnVsbCZzY29wZT1zZXNzaW9uLmNvbm5lY3Q=';

const projects = new ProjectDirectory([{ apiKey, apiSecret }]);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isVigilError(err), `expected a VigilError, got ${String(err)}`);
    return err.code;
  }
  return 'accepted';
}

test('the JWT and T1 vectors from the contract verify to the same grant', () => {
  for (const token of [JWT_VECTOR, T1_VECTOR]) {
    const grant = verifyClientToken(token, sessionId, projects, now);
    assert.equal(grant.role, 'moderator');
    assert.equal(grant.data, 'userId=42');
    assert.equal(grant.expireTime, 1735693200);
    assert.deepEqual(grant.initialLayoutClassList, ['focus', 'full']);
  }
});

test('expired, forged, wrong-session and wrong-key tokens are refused with distinct codes', () => {
  assert.equal(codeOf(() => verifyClientToken(JWT_VECTOR, sessionId, projects, 1735693200)), 'TOKEN_EXPIRED');
  assert.equal(codeOf(() => verifyClientToken(T1_VECTOR, sessionId, projects, 1735693201)), 'TOKEN_EXPIRED');
  const forged = `${JWT_VECTOR.slice(0, -2)}AA`;
  assert.equal(codeOf(() => verifyClientToken(forged, sessionId, projects, now)), 'TOKEN_INVALID');
  const other = new ProjectDirectory([{ apiKey, apiSecret: 'another-secret-0123456789' }]);
  assert.equal(codeOf(() => verifyClientToken(JWT_VECTOR, sessionId, other, now)), 'TOKEN_INVALID');
  assert.equal(codeOf(() => verifyClientToken(T1_VECTOR, sessionId, other, now)), 'TOKEN_INVALID');
  const otherSession = '1_' + Buffer.from('1~47000001~~1735689600000~Another1~P').toString('base64url');
  assert.equal(codeOf(() => verifyClientToken(JWT_VECTOR, otherSession, projects, now)), 'TOKEN_WRONG_SESSION');
  const foreignKeySession = '1_' + Buffer.from('1~99999999~~1735689600000~abc~P').toString('base64url');
  assert.equal(codeOf(() => verifyClientToken(JWT_VECTOR, foreignKeySession, projects, now)), 'SESSION_ID_INVALID');
  assert.equal(codeOf(() => verifyClientToken('', sessionId, projects, now)), 'TOKEN_MISSING');
  assert.equal(codeOf(() => verifyClientToken('garbage', sessionId, projects, now)), 'TOKEN_INVALID');
  assert.equal(codeOf(() => verifyClientToken('a.b.c', sessionId, projects, now)), 'TOKEN_INVALID');
  assert.equal(codeOf(() => verifyClientToken('T1==!!!!', sessionId, projects, now)), 'TOKEN_INVALID');
  assert.equal(codeOf(() => verifyClientToken(JWT_VECTOR, 'not-a-session', projects, now)), 'SESSION_ID_INVALID');
});

test('a token signed for another API key is refused even if the signature is valid for it', () => {
  const multi = new ProjectDirectory([{ apiKey, apiSecret }, { apiKey: '47000002', apiSecret: 'second-secret-0123456789' }]);
  const token = mintClientToken({ apiKey: '47000002', apiSecret: 'second-secret-0123456789', sessionId, nowSeconds: now });
  assert.equal(codeOf(() => verifyClientToken(token, sessionId, multi, now)), 'TOKEN_WRONG_KEY');
});

test('REST credentials are never accepted as client tokens, and alg:none is refused', () => {
  const rest = mintProjectJwt(apiKey, apiSecret, now);
  assert.equal(codeOf(() => verifyClientToken(rest, sessionId, projects, now)), 'TOKEN_INVALID');
  const [, payload] = JWT_VECTOR.split('.');
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
  assert.equal(codeOf(() => verifyClientToken(none, sessionId, projects, now)), 'TOKEN_INVALID');
});

test('minting reproduces the SDK token byte for byte when nonce and clock are fixed', (t) => {
  t.mock.method(Math, 'random', () => 0.5);
  const options = { apiKey, apiSecret, sessionId, role: 'moderator' as const, expireTime: 1735693200, data: 'userId=42', initialLayoutClassList: ['focus', 'full'], nowSeconds: now };
  assert.equal(mintClientToken(options), JWT_VECTOR);
  assert.equal(mintClientToken({ ...options, format: 't1' }), T1_VECTOR);
});

test('T1 tokens whose expire_time is not an integer are refused (P21)', () => {
  const data = `session_id=${sessionId}&create_time=${now}&nonce=0.1&role=publisher&expire_time=&initial_layout_class_list=&scope=session.connect`;
  const sig = createHmac('sha1', apiSecret).update(data).digest('hex');
  const token = `T1==${Buffer.from(`partner_id=${apiKey}&sig=${sig}:${data}`).toString('base64')}`;
  assert.equal(codeOf(() => verifyClientToken(token, sessionId, projects, now)), 'TOKEN_INVALID');
});
