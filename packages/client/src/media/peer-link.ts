import type { IceCandidateInfo, IceServer } from '@vigil/protocol';

/** How a link talks to the other side, through the Vigil server. */
export interface PeerLinkSignals {
  /** Sends an offer or answer; rejects with the server's `VigilError`. */
  sdp(sdpType: 'offer' | 'answer', sdp: string): Promise<void>;
  /** Sends one trickled candidate (no reply). */
  ice(candidate: IceCandidateInfo): void;
}

/** The peer connection constructor: the browser's, or one a Node app installs on `globalThis` (`@roamhq/wrtc`). */
export function peerConnectionClass(): typeof RTCPeerConnection {
  const ctor = (globalThis as { RTCPeerConnection?: typeof RTCPeerConnection }).RTCPeerConnection;
  if (!ctor) {
    throw new TypeError('No RTCPeerConnection here: media needs a browser, React Native WebRTC, or globalThis.RTCPeerConnection');
  }
  return ctor;
}

/**
 * One peer connection and its negotiation: the offering side (a publisher, towards one subscriber or
 * the server) or the answering side (a subscriber). Candidates that arrive before the remote
 * description are held and applied after it, as the order on the wire is not guaranteed.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  readonly #signals: PeerLinkSignals;
  #pendingCandidates: RTCIceCandidateInit[] | undefined = [];
  /** Own candidates found before the description went out; the other side could not place them. */
  #outgoing: IceCandidateInfo[] | undefined = [];
  #closed = false;

  constructor(iceServers: IceServer[], signals: PeerLinkSignals) {
    const PeerConnection = peerConnectionClass();
    this.pc = new PeerConnection({ iceServers: iceServers as RTCIceServer[], bundlePolicy: 'max-bundle' });
    this.#signals = signals;
    this.pc.onicecandidate = (event) => {
      if (event.candidate && !this.#closed) {
        const c = event.candidate;
        const candidate = { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment };
        if (this.#outgoing) {
          this.#outgoing.push(candidate);
        } else {
          this.#signals.ice(candidate);
        }
      }
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Offering side: creates and sends the offer. */
  async offer(): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    if (this.#closed) {
      return;
    }
    await this.#sendDescription('offer');
  }

  /** Offering side: applies the answer. */
  async acceptAnswer(sdp: string): Promise<void> {
    if (this.#closed) {
      return;
    }
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    await this.#flushCandidates();
  }

  /** Answering side: applies the offer, creates and sends the answer. */
  async answer(offerSdp: string): Promise<void> {
    if (this.#closed) {
      return;
    }
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.#flushCandidates();
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    if (this.#closed) {
      return;
    }
    await this.#sendDescription('answer');
  }

  async addCandidate(candidate: IceCandidateInfo): Promise<void> {
    if (this.#closed) {
      return;
    }
    const init: RTCIceCandidateInit = { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null };
    if (candidate.usernameFragment) {
      init.usernameFragment = candidate.usernameFragment;
    }
    if (this.#pendingCandidates) {
      this.#pendingCandidates.push(init);
      return;
    }
    await this.pc.addIceCandidate(init);
  }

  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#pendingCandidates = undefined;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }

  /** Sends the local description, then the candidates held back for it, in that order on the wire. */
  async #sendDescription(sdpType: 'offer' | 'answer'): Promise<void> {
    const sent = this.#signals.sdp(sdpType, this.pc.localDescription?.sdp ?? '');
    const held = this.#outgoing ?? [];
    this.#outgoing = undefined;
    for (const candidate of held) {
      this.#signals.ice(candidate);
    }
    await sent;
  }

  async #flushCandidates(): Promise<void> {
    const pending = this.#pendingCandidates ?? [];
    this.#pendingCandidates = undefined;
    for (const candidate of pending) {
      // A stale candidate (from before an ICE restart, say) must not fail the negotiation.
      await this.pc.addIceCandidate(candidate).catch(() => undefined);
    }
  }
}
