import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage } from '@vigil/protocol';

function codeOf(text: string): string | undefined {
  const result = parseClientMessage(text);
  return result.ok ? undefined : result.error.code;
}

test('valid messages parse', () => {
  const result = parseClientMessage('{"type":"signal","id":3,"signalType":"chat","data":"hi","to":"abc_DEF-1"}');
  assert.ok(result.ok);
  assert.equal(result.ok && result.message.type, 'signal');
  assert.ok(parseClientMessage('{"type":"ping"}').ok);
  assert.ok(parseClientMessage('{"type":"disconnect"}').ok);
});

test('each kind of bad input gets its own code, with the request id when readable', () => {
  assert.equal(codeOf('{not json'), 'MESSAGE_MALFORMED');
  assert.equal(codeOf('[]'), 'MESSAGE_INVALID');
  assert.equal(codeOf('null'), 'MESSAGE_INVALID');
  assert.equal(codeOf('"ping"'), 'MESSAGE_INVALID');
  assert.equal(codeOf('{}'), 'MESSAGE_UNKNOWN_TYPE');
  assert.equal(codeOf('{"type":"toString"}'), 'MESSAGE_UNKNOWN_TYPE');
  assert.equal(codeOf('{"type":"__proto__"}'), 'MESSAGE_UNKNOWN_TYPE');
  assert.equal(codeOf('{"type":"signal","id":1}'), 'MESSAGE_INVALID');
  assert.equal(codeOf('{"type":"signal","id":1,"data":"x","extra":1}'), 'MESSAGE_INVALID');
  assert.equal(codeOf('{"type":"signal","id":0,"data":"x"}'), 'MESSAGE_INVALID');
  assert.equal(codeOf('{"type":"signal","id":1,"data":"x","to":"../x"}'), 'MESSAGE_INVALID');
  assert.equal(codeOf('{"type":"forceDisconnect","id":1}'), 'MESSAGE_INVALID');
  const result = parseClientMessage('{"type":"signal","id":7,"data":5}');
  assert.ok(!result.ok);
  assert.equal(!result.ok && result.id, 7);
  assert.match(!result.ok ? result.error.message : '', /data/);
});
