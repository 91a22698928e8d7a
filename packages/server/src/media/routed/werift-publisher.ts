import type { MediaStreamTrack, RTCPeerConnection, RTCRtpReceiver, RtpPacket } from 'werift';
import type { MediaKind } from '@vigil/protocol';
import type { EngineCounters } from './engine-counters.js';
import type { LegSource, SubscriberLeg } from './werift-subscriber-leg.js';
import { closeForwardingPeer, localDescriptionWhenGathered } from './werift-peer.js';

/** Key-frame requests closer together than this are merged: one key frame serves every new subscriber. */
const KEY_FRAME_INTERVAL_MS = 250;

/**
 * One routed publisher: its receive-only peer connection and the subscriber legs forwarding it. Each
 * packet it receives is serialised once and handed to every leg; nothing is buffered here (werift's
 * senders keep the history that answers NACKs, and its receiver NACKs the publisher for lost packets).
 */
export class WeriftPublisher implements LegSource {
  readonly pc: RTCPeerConnection;
  readonly kinds = new Set<MediaKind>();
  readonly legs = new Set<SubscriberLeg>();
  readonly #counters: EngineCounters;
  readonly #videoReceivers: { receiver: RTCRtpReceiver; track: MediaStreamTrack }[] = [];
  readonly #disposers: (() => void)[] = [];
  #receivedTracks = 0;
  #lastKeyFrameRequest = -Infinity;
  #closed = false;

  constructor(pc: RTCPeerConnection, counters: EngineCounters) {
    this.pc = pc;
    this.#counters = counters;
    counters.publishers += 1;
    counters.peerConnections += 1;
    this.#disposers.push(
      pc.onTrack.subscribe((track) => {
        if (this.#closed) {
          return;
        }
        const kind: MediaKind = track.kind === 'audio' ? 'audio' : 'video';
        this.#receivedTracks += 1;
        counters.tracks += 1;
        if (kind === 'video') {
          const transceiver = pc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
          if (transceiver) {
            this.#videoReceivers.push({ receiver: transceiver.receiver, track });
          }
        }
        this.#disposers.push(track.onReceiveRtp.subscribe((rtp) => this.#forward(kind, rtp)).unSubscribe);
      }).unSubscribe,
    );
  }

  /** Applies the publisher's offer; resolves with the answer once the server's candidates are in it. */
  async accept(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    for (const transceiver of this.pc.getTransceivers()) {
      this.kinds.add(transceiver.kind === 'audio' ? 'audio' : 'video');
    }
    if (this.kinds.size === 0) {
      throw new Error('the offer has no audio or video');
    }
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return localDescriptionWhenGathered(this.pc);
  }

  requestKeyFrame(): void {
    const now = performance.now();
    if (this.#closed || now - this.#lastKeyFrameRequest < KEY_FRAME_INTERVAL_MS) {
      return;
    }
    this.#lastKeyFrameRequest = now;
    for (const { receiver, track } of this.#videoReceivers) {
      if (track.ssrc !== undefined) {
        this.#counters.keyFramesRequested += 1;
        receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
      }
    }
  }

  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    for (const leg of [...this.legs]) {
      leg.close();
    }
    this.legs.clear();
    for (const dispose of this.#disposers.splice(0)) {
      dispose();
    }
    this.#counters.tracks -= this.#receivedTracks;
    this.#receivedTracks = 0;
    this.#videoReceivers.length = 0;
    this.#counters.publishers -= 1;
    this.#counters.peerConnections -= 1;
    void closeForwardingPeer(this.pc);
  }

  #forward(kind: MediaKind, rtp: RtpPacket): void {
    this.#counters.packetsReceived += 1;
    if (this.legs.size === 0) {
      return;
    }
    let wire: Buffer | undefined;
    const serialise = (): Buffer => (wire ??= rtp.serialize());
    for (const leg of this.legs) {
      leg.forward(kind, rtp, serialise);
    }
  }
}
