import type { IceCandidateInfo, MediaKind } from '@vigil/protocol';

/** What a forwarding engine holds right now; after everyone left, every count but the totals is 0. */
export interface MediaEngineStats {
  /** Streams being received from publishers. */
  publishers: number;
  /** Subscriber legs being sent to. */
  subscribers: number;
  /** Open peer connections (publishers + subscribers). */
  peerConnections: number;
  /** Live media tracks the engine owns (received and forwarding). */
  tracks: number;
  /** Totals since the engine started. */
  packetsReceived: number;
  packetsForwarded: number;
  bytesForwarded: number;
  keyFramesRequested: number;
}

/**
 * Vigil's routed-mode forwarding unit, behind a small interface so another engine can replace werift.
 * Ids are the server's own (unique across sessions), never the client's stream or subscription ids.
 * The engine negotiates with offers/answers and trickled candidates; every promise rejects with a
 * plain Error the caller turns into an `SDP_INVALID` or `INTERNAL`.
 */
export interface MediaEngine {
  /** Accepts a publisher's offer (send-only audio and/or video); resolves with the answer. */
  publish(publisherId: string, offerSdp: string): Promise<string>;
  /** Starts a subscriber leg of a published stream; resolves with the offer to send the subscriber. */
  subscribe(publisherId: string, subscriberId: string, media: Record<MediaKind, boolean>): Promise<string>;
  /** Applies a subscriber's answer to its leg's offer. */
  answer(subscriberId: string, answerSdp: string): Promise<void>;
  /** A trickled candidate from a publisher (`publisherId`) or a subscriber (`subscriberId`). */
  addIceCandidate(peerId: string, candidate: IceCandidateInfo): Promise<void>;
  /** Stops or resumes forwarding one kind to one subscriber (`subscribeToAudio`/`subscribeToVideo`). */
  setSubscriberMedia(subscriberId: string, kind: MediaKind, enabled: boolean): void;
  /** Asks the publisher for a key frame (picture loss indication). */
  requestKeyFrame(publisherId: string): void;
  /** Closes one subscriber leg and frees its peer connection and tracks. Idempotent. */
  unsubscribe(subscriberId: string): void;
  /** Closes a publisher and every leg forwarding it. Idempotent. */
  unpublish(publisherId: string): void;
  stats(): MediaEngineStats;
  /** Closes everything. */
  close(): Promise<void>;
}
