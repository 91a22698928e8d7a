import { MediaStreamTrack, type RTCPeerConnection, type RtpPacket } from 'werift';
import type { MediaKind } from '@vigil/protocol';
import type { EngineCounters } from './engine-counters.js';
import { RtpGate } from './rtp-gate.js';
import { closeForwardingPeer, localDescriptionWhenGathered } from './werift-peer.js';

/** What a leg needs from the publisher it forwards. */
export interface LegSource {
  readonly kinds: ReadonlySet<MediaKind>;
  requestKeyFrame(): void;
}

/**
 * One subscriber of one routed stream: a send-only peer connection with one forwarding track per
 * kind. Packets pass through an `RtpGate` per kind (on/off, start at a key frame, no sequence gaps);
 * werift's sender then rewrites SSRC and payload type, answers the subscriber's NACKs from its
 * history, and reports its PLIs, which go to the publisher as key-frame requests.
 */
export class SubscriberLeg {
  readonly pc: RTCPeerConnection;
  readonly #source: LegSource;
  readonly #counters: EngineCounters;
  readonly #tracks = new Map<MediaKind, MediaStreamTrack>();
  readonly #gates = new Map<MediaKind, RtpGate>();
  readonly #disposers: (() => void)[] = [];
  #connected = false;
  #closed = false;

  constructor(pc: RTCPeerConnection, source: LegSource, media: Record<MediaKind, boolean>, counters: EngineCounters) {
    this.pc = pc;
    this.#source = source;
    this.#counters = counters;
    counters.subscribers += 1;
    counters.peerConnections += 1;
    for (const kind of source.kinds) {
      const track = new MediaStreamTrack({ kind });
      this.#tracks.set(kind, track);
      this.#gates.set(kind, new RtpGate(kind, media[kind]));
      counters.tracks += 1;
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
      if (kind === 'video') {
        this.#disposers.push(transceiver.sender.onPictureLossIndication.subscribe(() => source.requestKeyFrame()).unSubscribe);
      }
    }
    this.#disposers.push(
      pc.connectionStateChange.subscribe((state) => {
        this.#connected = state === 'connected';
        if (this.#connected) {
          // A new subscriber must not wait for the publisher's next periodic key frame.
          source.requestKeyFrame();
        }
      }).unSubscribe,
    );
  }

  /** Creates the offer for the subscriber, with the server's candidates in it. */
  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return localDescriptionWhenGathered(this.pc);
  }

  async answer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  setMedia(kind: MediaKind, enabled: boolean): void {
    this.#gates.get(kind)?.setEnabled(enabled);
    if (enabled && kind === 'video') {
      this.#source.requestKeyFrame();
    }
  }

  /** Forwards one packet of the publisher's; `wire` is the packet serialised once for all legs. */
  forward(kind: MediaKind, rtp: RtpPacket, wire: () => Buffer): void {
    const track = this.#tracks.get(kind);
    const gate = this.#gates.get(kind);
    if (!this.#connected || !track || !gate) {
      return;
    }
    const sequenceNumber = gate.pass(rtp.header.sequenceNumber, rtp.payload);
    if (sequenceNumber === undefined) {
      if (gate.waitingForKeyFrame) {
        this.#source.requestKeyFrame();
      }
      return;
    }
    const copy = Buffer.from(wire());
    copy.writeUInt16BE(sequenceNumber, 2);
    track.writeRtp(copy);
    this.#counters.packetsForwarded += 1;
    this.#counters.bytesForwarded += copy.length;
  }

  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#connected = false;
    for (const dispose of this.#disposers.splice(0)) {
      dispose();
    }
    for (const track of this.#tracks.values()) {
      track.stop();
      this.#counters.tracks -= 1;
    }
    this.#tracks.clear();
    this.#counters.subscribers -= 1;
    this.#counters.peerConnections -= 1;
    void closeForwardingPeer(this.pc);
  }
}
