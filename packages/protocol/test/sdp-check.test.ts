import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaLimits, checkSdp, parseClientMessage } from '@vigil/protocol';

const GOOD = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\na=rtpmap:111 opus/48000/2\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n';

test('checkSdp accepts browser-shaped descriptions (CRLF or LF)', () => {
  checkSdp(GOOD);
  checkSdp(GOOD.replaceAll('\r\n', '\n'));
});

test('checkSdp refuses oversize, malformed and non-media descriptions with their codes', () => {
  const cases: [string, string][] = [
    [`${GOOD}a=${'x'.repeat(MediaLimits.maxSdpBytes)}\r\n`, 'SDP_TOO_LARGE'],
    ['', 'SDP_INVALID'],
    ['hello', 'SDP_INVALID'],
    [GOOD.replace('v=0', 'v=1'), 'SDP_INVALID'],
    [`${GOOD}a=ok\u0000\r\n`, 'SDP_INVALID'],
    [`${GOOD}A=upper\r\n`, 'SDP_INVALID'],
    [`${GOOD}no equals\r\n`, 'SDP_INVALID'],
    [GOOD.replace('m=audio', 'm=application'), 'SDP_INVALID'],
    [GOOD.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111 63', 'm=audio 9 UDP/TLS/RTP/SAVPF'), 'SDP_INVALID'],
    ['v=0\r\ns=-\r\n', 'SDP_INVALID'],
    [`v=0\r\n${'m=audio 9 RTP/AVP 0\r\n'.repeat(9)}`, 'SDP_INVALID'],
    [`${GOOD}a=${'y'.repeat(5000)}\r\n`, 'SDP_INVALID'],
  ];
  for (const [sdp, code] of cases) {
    assert.throws(() => checkSdp(sdp), { code }, JSON.stringify(sdp.slice(-40)));
  }
});

test('stream messages are closed and bounded by their schemas', () => {
  const ok = parseClientMessage(JSON.stringify({ type: 'publish', id: 1, name: 'n', videoType: 'screen', hasAudio: false, hasVideo: true, videoDimensions: { width: 1280, height: 720 } }));
  assert.equal(ok.ok, true);
  for (const bad of [
    { type: 'publish', id: 1, name: 'n', videoType: 'screen', hasAudio: false, hasVideo: true, extra: 1 },
    { type: 'subscribe', id: 1, streamId: 's', subscriptionId: 'has space' },
    { type: 'sdp', id: 1, streamId: 's', sdpType: 'pranswer', sdp: 'v=0' },
    { type: 'ice', streamId: 's', candidate: { candidate: 'x'.repeat(2000) } },
    { type: 'updateStream', id: 1, streamId: 's', hasAudio: 'yes' },
    { type: 'updateStream', id: 1, streamId: 's', reason: 'boredom' },
  ]) {
    const parsed = parseClientMessage(JSON.stringify(bad));
    assert.equal(parsed.ok, false, JSON.stringify(bad));
    assert.equal(parsed.ok ? '' : parsed.error.code, 'MESSAGE_INVALID');
  }
});
