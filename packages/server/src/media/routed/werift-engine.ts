import type { IceCandidateInfo, MediaKind } from '@vigil/protocol';
import { EngineCounters } from './engine-counters.js';
import type { MediaEngine, MediaEngineStats } from './media-engine.js';
import { closeForwardingPeer, createForwardingPeer, type WeriftNetworkOptions } from './werift-peer.js';
import { WeriftPublisher } from './werift-publisher.js';
import { SubscriberLeg } from './werift-subscriber-leg.js';

/**
 * The routed-mode forwarding unit on werift (pure TypeScript WebRTC): one receive-only peer
 * connection per publisher, one send-only peer connection per subscriber, RTP forwarded without
 * decoding. Everything runs on the server's one JavaScript thread; `npm run bench` measures the cost.
 */
export class WeriftEngine implements MediaEngine {
  readonly #network: WeriftNetworkOptions;
  readonly #publishers = new Map<string, WeriftPublisher>();
  readonly #legs = new Map<string, { leg: SubscriberLeg; publisher: WeriftPublisher }>();
  readonly #counters = new EngineCounters();

  constructor(network: WeriftNetworkOptions = {}) {
    this.#network = network;
  }

  async publish(publisherId: string, offerSdp: string): Promise<string> {
    if (this.#publishers.has(publisherId)) {
      throw new Error('already published');
    }
    const publisher = new WeriftPublisher(createForwardingPeer(this.#network), this.#counters);
    this.#publishers.set(publisherId, publisher);
    try {
      const answer = await publisher.accept(offerSdp);
      if (this.#publishers.get(publisherId) !== publisher) {
        throw new Error('unpublished during negotiation');
      }
      return answer;
    } catch (err) {
      this.unpublish(publisherId);
      throw err;
    }
  }

  async subscribe(publisherId: string, subscriberId: string, media: Record<MediaKind, boolean>): Promise<string> {
    const publisher = this.#publishers.get(publisherId);
    if (!publisher || this.#legs.has(subscriberId)) {
      throw new Error('unknown publisher or duplicate subscriber');
    }
    const leg = new SubscriberLeg(createForwardingPeer(this.#network), publisher, media, this.#counters);
    publisher.legs.add(leg);
    this.#legs.set(subscriberId, { leg, publisher });
    try {
      const offer = await leg.offer();
      if (this.#legs.get(subscriberId)?.leg !== leg) {
        throw new Error('unsubscribed during negotiation');
      }
      return offer;
    } catch (err) {
      this.unsubscribe(subscriberId);
      throw err;
    }
  }

  async answer(subscriberId: string, answerSdp: string): Promise<void> {
    const entry = this.#legs.get(subscriberId);
    if (!entry) {
      throw new Error('unknown subscriber');
    }
    await entry.leg.answer(answerSdp);
  }

  async addIceCandidate(peerId: string, candidate: IceCandidateInfo): Promise<void> {
    const pc = this.#publishers.get(peerId)?.pc ?? this.#legs.get(peerId)?.leg.pc;
    if (!pc) {
      return;
    }
    const init: { candidate: string; sdpMid?: string; sdpMLineIndex?: number; usernameFragment?: string } = { candidate: candidate.candidate };
    if (typeof candidate.sdpMid === 'string') {
      init.sdpMid = candidate.sdpMid;
    }
    if (typeof candidate.sdpMLineIndex === 'number') {
      init.sdpMLineIndex = candidate.sdpMLineIndex;
    }
    if (typeof candidate.usernameFragment === 'string') {
      init.usernameFragment = candidate.usernameFragment;
    }
    await pc.addIceCandidate(init);
  }

  setSubscriberMedia(subscriberId: string, kind: MediaKind, enabled: boolean): void {
    this.#legs.get(subscriberId)?.leg.setMedia(kind, enabled);
  }

  requestKeyFrame(publisherId: string): void {
    this.#publishers.get(publisherId)?.requestKeyFrame();
  }

  unsubscribe(subscriberId: string): void {
    const entry = this.#legs.get(subscriberId);
    if (!entry) {
      return;
    }
    this.#legs.delete(subscriberId);
    entry.publisher.legs.delete(entry.leg);
    entry.leg.close();
  }

  unpublish(publisherId: string): void {
    const publisher = this.#publishers.get(publisherId);
    if (!publisher) {
      return;
    }
    this.#publishers.delete(publisherId);
    for (const [id, entry] of this.#legs) {
      if (entry.publisher === publisher) {
        this.#legs.delete(id);
      }
    }
    publisher.close();
  }

  stats(): MediaEngineStats {
    return this.#counters.snapshot();
  }

  async close(): Promise<void> {
    const closing = [...this.#publishers.values()].flatMap((publisher) => [publisher.pc, ...[...publisher.legs].map((leg) => leg.pc)]);
    for (const id of [...this.#publishers.keys()]) {
      this.unpublish(id);
    }
    // unpublish() started each close; wait for them so the process can exit cleanly.
    await Promise.allSettled(closing.map((pc) => closeForwardingPeer(pc)));
  }
}
