import type { MediaEngineStats } from './media-engine.js';

/** The werift engine's running counts, shared by its publishers and legs. */
export class EngineCounters {
  publishers = 0;
  subscribers = 0;
  peerConnections = 0;
  tracks = 0;
  packetsReceived = 0;
  packetsForwarded = 0;
  bytesForwarded = 0;
  keyFramesRequested = 0;

  snapshot(): MediaEngineStats {
    return {
      publishers: this.publishers,
      subscribers: this.subscribers,
      peerConnections: this.peerConnections,
      tracks: this.tracks,
      packetsReceived: this.packetsReceived,
      packetsForwarded: this.packetsForwarded,
      bytesForwarded: this.bytesForwarded,
      keyFramesRequested: this.keyFramesRequested,
    };
  }
}
