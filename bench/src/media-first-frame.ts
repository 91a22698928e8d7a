/**
 * Time from `session.subscribe()` to the first decoded video frame, with Vigil's own SDK running in
 * Node on `@roamhq/wrtc` (libwebrtc: a real VP8 encoder at the publisher, a real decoder at the
 * subscriber), through the routed forwarding unit.
 */
import { createRequire } from 'node:module';
import { WebSocket } from 'ws';
import { initPublisher, initSession, type Session } from '@vigil/client';
import { createSessionId } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';
import type { ServerInfo } from './media-peers.js';

interface WrtcVideoSource {
  createTrack(): unknown;
  onFrame(frame: { width: number; height: number; data: Uint8ClampedArray }): void;
}
interface WrtcModule {
  RTCPeerConnection: unknown;
  MediaStream: unknown;
  nonstandard: {
    RTCVideoSource: new () => WrtcVideoSource;
    RTCVideoSink: new (track: unknown) => { onframe: (() => void) | null; stop(): void };
  };
}

const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as WrtcModule;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Subscribes `rounds` times to a 320x240 wrtc-encoded stream; returns each time to first frame, ms. */
export async function measureFirstFrame(server: ServerInfo, rounds: number): Promise<number[]> {
  const g = globalThis as Record<string, unknown>;
  g['RTCPeerConnection'] ??= wrtc.RTCPeerConnection;
  g['MediaStream'] ??= wrtc.MediaStream;
  const sessionId = createSessionId({ apiKey: server.apiKey, mediaMode: 'routed' });
  const connect = async (): Promise<Session> => {
    const session = initSession(server.apiKey, sessionId, { url: server.url, WebSocket, lifecycle: false });
    await session.connect(mintClientToken({ apiKey: server.apiKey, apiSecret: server.apiSecret, sessionId }));
    return session;
  };
  const source = new wrtc.nonstandard.RTCVideoSource();
  const width = 320;
  const height = 240;
  const frame = new Uint8ClampedArray((width * height * 3) / 2);
  let tick = 0;
  // Moving content, so the encoder keeps sending real frames.
  const feeder = setInterval(() => {
    tick += 1;
    frame.fill(tick % 256, 0, width * height);
    source.onFrame({ width, height, data: frame });
  }, 33);
  const sessions: Session[] = [];
  try {
    const publishing = await connect();
    sessions.push(publishing);
    const publisher = initPublisher(undefined, { videoSource: source.createTrack() as never, audioSource: false, name: 'wrtc' });
    await publishing.publish(publisher);
    const watching = await connect();
    sessions.push(watching);
    const results: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const stream = watching.streams.find((s) => s.name === 'wrtc');
      if (!stream) {
        throw new Error('the wrtc stream was not announced');
      }
      const started = performance.now();
      const subscriber = await watching.subscribe(stream);
      const firstFrame = await new Promise<number>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error('no decoded frame within 10 s')), 10_000);
        const poll = setInterval(() => {
          const track = subscriber.mediaStream?.getVideoTracks()[0];
          if (track) {
            clearInterval(poll);
            const sink = new wrtc.nonstandard.RTCVideoSink(track);
            sink.onframe = () => {
              sink.onframe = null;
              sink.stop();
              clearTimeout(deadline);
              resolve(performance.now() - started);
            };
          }
        }, 5);
      });
      results.push(firstFrame);
      await watching.unsubscribe(subscriber);
      await sleep(300);
    }
    publisher.destroy();
    return results;
  } finally {
    clearInterval(feeder);
    for (const session of sessions) {
      session.disconnect();
    }
  }
}
