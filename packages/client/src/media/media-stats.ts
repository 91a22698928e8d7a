/** Numbers from a subscriber's `RTCStatsReport` (`inbound-rtp`), summed per kind. */
export interface SubscriberStats {
  timestamp: number;
  connectionState: RTCPeerConnectionState;
  video: {
    packetsReceived: number;
    packetsLost: number;
    bytesReceived: number;
    framesDecoded: number;
    framesPerSecond: number;
    frameWidth: number;
    frameHeight: number;
  };
  audio: {
    packetsReceived: number;
    packetsLost: number;
    bytesReceived: number;
  };
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Reads what a subscriber receives. Audio is judged by packets, not `totalSamplesReceived`, which
 * keeps rising from concealment when nothing arrives.
 */
export async function readSubscriberStats(pc: RTCPeerConnection): Promise<SubscriberStats> {
  const report = await pc.getStats();
  const stats: SubscriberStats = {
    timestamp: Date.now(),
    connectionState: pc.connectionState,
    video: { packetsReceived: 0, packetsLost: 0, bytesReceived: 0, framesDecoded: 0, framesPerSecond: 0, frameWidth: 0, frameHeight: 0 },
    audio: { packetsReceived: 0, packetsLost: 0, bytesReceived: 0 },
  };
  report.forEach((entry: Record<string, unknown>) => {
    if (entry['type'] !== 'inbound-rtp') {
      return;
    }
    if (entry['kind'] === 'video') {
      stats.video.packetsReceived += num(entry['packetsReceived']);
      stats.video.packetsLost += num(entry['packetsLost']);
      stats.video.bytesReceived += num(entry['bytesReceived']);
      stats.video.framesDecoded += num(entry['framesDecoded']);
      stats.video.framesPerSecond = Math.max(stats.video.framesPerSecond, num(entry['framesPerSecond']));
      stats.video.frameWidth = Math.max(stats.video.frameWidth, num(entry['frameWidth']));
      stats.video.frameHeight = Math.max(stats.video.frameHeight, num(entry['frameHeight']));
    } else if (entry['kind'] === 'audio') {
      stats.audio.packetsReceived += num(entry['packetsReceived']);
      stats.audio.packetsLost += num(entry['packetsLost']);
      stats.audio.bytesReceived += num(entry['bytesReceived']);
    }
  });
  return stats;
}
