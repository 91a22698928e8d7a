import { createHook } from 'node:async_hooks';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForMediaFlow, waitUntil, type MediaParticipant } from '@vigil/test-kit';
import { defineMediaScenarios } from './media-scenarios.js';

// Routed media in real Chromium: every stream goes through the server's werift forwarding unit.
defineMediaScenarios('routed', ({ room }) => {
  test('routed: 20 publish/unpublish cycles leave no peer connections, tracks, sockets or timers on the server', async (t) => {
    const r = await room(t);
    const [ben] = (await r.join(['Ben'], { publish: false })) as [MediaParticipant];
    const [ann] = (await r.join(['Ann'], { publish: false })) as [MediaParticipant];
    const udpSockets = (): number => process.getActiveResourcesInfo().filter((k) => k === 'UDPWrap').length;
    // Timers created by the media engine (werift, Vigil's media and stream code) while cycling, by
    // async id; a timer that fires or is cleared is destroyed and leaves the map.
    const mediaTimers = new Map<number, string>();
    const hook = createHook({
      init(id, type) {
        if (type === 'Timeout') {
          const stack = new Error().stack ?? '';
          // werift's DTLS retransmission of a handshake flight cut short by the close is left out: it
          // cannot be cancelled and stops by itself after its 10 tries (about 33 s), so it is not a leak.
          if (/werift|server\/dist\/src\/(media|streams)\//.test(stack) && !/Flight\d*\.transmit/.test(stack)) {
            mediaTimers.set(id, stack);
          }
        }
      },
      destroy(id) {
        mediaTimers.delete(id);
      },
    }).enable();
    t.after(() => hook.disable());
    const baseline = udpSockets();
    const started = Date.now();
    for (let cycle = 0; cycle < 20; cycle += 1) {
      const mark = await ben.eventCount();
      await ann.publish();
      const streamId = await ann.streamId();
      if (cycle === 0 || cycle === 19) {
        await waitForMediaFlow(ben, streamId, { soakMs: 300 });
      } else {
        await ben.waitForEvent({ source: `subscriber:${streamId}`, name: 'connected' }, { from: mark });
      }
      const during = r.h.server.mediaStats();
      assert.deepEqual([during.publishers, during.subscribers, during.peerConnections, during.tracks], [1, 1, 2, 4], `cycle ${cycle}`);
      await ann.unpublish();
      await ben.waitForEvent({ source: `subscriber:${streamId}`, name: 'destroyed' }, { from: mark });
    }
    const cycleMs = (Date.now() - started) / 20;
    const stats = r.h.server.mediaStats();
    assert.deepEqual([stats.publishers, stats.subscribers, stats.peerConnections, stats.tracks], [0, 0, 0, 0]);
    assert.ok(stats.packetsForwarded > 100, `packets forwarded (${stats.packetsForwarded})`);
    // werift closes its sockets and stops its timers asynchronously after close().
    await waitUntil(() => udpSockets() <= baseline && mediaTimers.size === 0, `sockets back to ${baseline} (now ${udpSockets()}), media timers gone (${mediaTimers.size} left: ${[...mediaTimers.values()][0] ?? ''})`, 10_000, 100);
    t.diagnostic(`${cycleMs.toFixed(0)} ms per cycle; UDP sockets ${baseline} -> ${udpSockets()}; ${stats.packetsForwarded} packets forwarded, ${stats.keyFramesRequested} key frames requested`);
  });
});
