/**
 * Browser-less participants for the media benchmark, speaking Vigil's protocol on raw sockets: a
 * publisher that sends synthetic VP8 RTP at a fixed rate (no encoder, so the load generator stays
 * cheap and the rate exact) and subscribers that count what arrives. Peers are werift peer connections.
 */
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useVP8 } from 'werift';
import { createSessionId } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';
import { openRawSocket, type RawSocket } from '@vigil/test-kit';

export interface ServerInfo {
  url: string;
  apiKey: string;
  apiSecret: string;
}

let requestId = 0;

function peer(): RTCPeerConnection {
  return new RTCPeerConnection({ codecs: { video: [useVP8()] }, iceServers: [], iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'], bundlePolicy: 'max-bundle' });
}

async function request(raw: RawSocket, body: Record<string, unknown>): Promise<void> {
  requestId += 1;
  const id = requestId;
  raw.send(JSON.stringify({ ...body, id }));
  const reply = await raw.waitFor((m) => m['id'] === id && (m['type'] === 'ack' || m['type'] === 'error'), 15_000);
  if (reply['type'] === 'error') {
    throw new Error(`${String(body['type'])}: ${String(reply['code'])} ${String(reply['message'])}`);
  }
}

async function join(server: ServerInfo, sessionId: string): Promise<RawSocket> {
  const token = mintClientToken({ apiKey: server.apiKey, apiSecret: server.apiSecret, sessionId, role: 'publisher' });
  const raw = await openRawSocket(server.url, sessionId, token);
  await raw.waitFor((m) => m['type'] === 'welcome');
  // Application heartbeats: a raw socket that stays quiet is taken for a dead client.
  const heartbeat = setInterval(() => raw.send('{"type":"ping"}'), 2_000);
  raw.socket.once('close', () => clearInterval(heartbeat));
  return raw;
}

export function newRoutedSession(server: ServerInfo): string {
  return createSessionId({ apiKey: server.apiKey, mediaMode: 'routed' });
}

/** A routed publisher of synthetic VP8: frames of `packetsPerFrame` packets, key frames on request. */
export class SyntheticPublisher {
  readonly raw: RawSocket;
  readonly pc = peer();
  readonly streamId = `bench${Date.now().toString(36)}`;
  readonly #track = new MediaStreamTrack({ kind: 'video' });
  #sequence = 0;
  #timestamp = 0;
  #picture = 0;
  #keyNext = true;
  sent = 0;

  private constructor(raw: RawSocket) {
    this.raw = raw;
  }

  static async start(server: ServerInfo, sessionId: string): Promise<SyntheticPublisher> {
    const publisher = new SyntheticPublisher(await join(server, sessionId));
    const { pc, raw, streamId } = publisher;
    const transceiver = pc.addTransceiver(publisher.#track, { direction: 'sendonly' });
    transceiver.sender.onPictureLossIndication.subscribe(() => {
      publisher.#keyNext = true;
    });
    await request(raw, { type: 'publish', streamId, name: 'bench', videoType: 'custom', hasAudio: false, hasVideo: true });
    await pc.setLocalDescription(await pc.createOffer());
    await pc.iceGatheringStateChange.watch((state) => state === 'complete', 5_000).catch(() => undefined);
    const from = raw.messages.length;
    await request(raw, { type: 'sdp', streamId, sdpType: 'offer', sdp: pc.localDescription?.sdp ?? '' });
    const answer = await raw.waitFor((m) => m['type'] === 'sdp' && m['sdpType'] === 'answer', 10_000, from);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer['sdp'] as string });
    await pc.connectionStateChange.watch((state) => state === 'connected', 10_000);
    return publisher;
  }

  /** Sends one frame of `packets` packets of `payloadBytes` each (the first says key frame when due). */
  sendFrame(packets: number, payloadBytes: number): void {
    const key = this.#keyNext;
    this.#keyNext = false;
    this.#picture = (this.#picture + 1) & 0x7fff;
    this.#timestamp = (this.#timestamp + 3000) >>> 0;
    for (let i = 0; i < packets; i += 1) {
      const payload = Buffer.alloc(payloadBytes, 0x5a);
      // VP8 descriptor: X, S on the first packet, PID 0; I with a 15-bit picture id; then the frame
      // header byte whose lowest bit is 0 for a key frame.
      payload[0] = i === 0 ? 0x90 : 0x80;
      payload[1] = 0x80;
      payload[2] = 0x80 | (this.#picture >> 8);
      payload[3] = this.#picture & 0xff;
      payload[4] = i === 0 && key ? 0x10 : 0x11;
      this.#sequence = (this.#sequence + 1) & 0xffff;
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: this.#sequence, timestamp: this.#timestamp, ssrc: 1, marker: i === packets - 1 });
      this.#track.writeRtp(new RtpPacket(header, payload));
      this.sent += 1;
    }
  }

  async close(): Promise<void> {
    // Leave for good: a socket that just closes keeps its connection (and streams) through the grace.
    this.raw.send('{"type":"disconnect"}');
    this.raw.socket.close();
    await this.pc.close();
  }
}

/** A routed subscriber that counts RTP packets and notes when the first one arrived. */
export class CountingSubscriber {
  readonly raw: RawSocket;
  readonly pc = peer();
  received = 0;
  firstPacketAt = 0;

  private constructor(raw: RawSocket) {
    this.raw = raw;
  }

  static async start(server: ServerInfo, sessionId: string, streamId: string, index: number): Promise<CountingSubscriber> {
    const subscriber = new CountingSubscriber(await join(server, sessionId));
    const { pc, raw } = subscriber;
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe(() => {
        subscriber.received += 1;
        subscriber.firstPacketAt ||= performance.now();
      });
    });
    const subscriptionId = `sub${index}`;
    const from = raw.messages.length;
    await request(raw, { type: 'subscribe', streamId, subscriptionId });
    const offer = await raw.waitFor((m) => m['type'] === 'sdp' && m['sdpType'] === 'offer', 10_000, from);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer['sdp'] as string });
    await pc.setLocalDescription(await pc.createAnswer());
    await pc.iceGatheringStateChange.watch((state) => state === 'complete', 5_000).catch(() => undefined);
    await request(raw, { type: 'sdp', streamId, subscriptionId, sdpType: 'answer', sdp: pc.localDescription?.sdp ?? '' });
    await pc.connectionStateChange.watch((state) => state === 'connected', 10_000);
    return subscriber;
  }

  async close(): Promise<void> {
    // Leave for good: a socket that just closes keeps its connection (and streams) through the grace.
    this.raw.send('{"type":"disconnect"}');
    this.raw.socket.close();
    await this.pc.close();
  }
}
