/**
 * Is media really flowing after a lifecycle restore? Track state is not enough (a live, unmuted track
 * can still deliver nothing), so these read counters that only rise when frames or packets move:
 * RTP stats of the peer connections, or a frame read straight from the capture track.
 */
import type { Clock } from '@vigil/lifecycle';

/** How often counters are sampled while a restore is being verified, in ms. */
export const FLOW_POLL_MS = 100;

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Sum over `pcs` of an RTP counter of `kind`: `framesEncoded` (outbound video), `packetsSent`
 * (outbound audio) or `packetsReceived` (inbound audio). A closed connection counts 0.
 */
export async function rtpCounter(pcs: readonly RTCPeerConnection[], type: 'outbound-rtp' | 'inbound-rtp', kind: 'audio' | 'video', field: 'framesEncoded' | 'packetsSent' | 'packetsReceived'): Promise<number> {
  let total = 0;
  for (const pc of pcs) {
    if (pc.connectionState === 'closed') {
      continue;
    }
    const report = await pc.getStats();
    report.forEach((entry: Record<string, unknown>) => {
      if (entry['type'] === type && entry['kind'] === kind) {
        total += num(entry[field]);
      }
    });
  }
  return total;
}

/**
 * Samples `read` every `FLOW_POLL_MS` until it rises above its first value (true), or `stillWanted`
 * turns false (false: the engine moved on, e.g. the deadline passed or a new pause came). At most
 * `maxSamples` samples, so a clock that never fires the deadline cannot keep it polling forever.
 */
export async function counterRises(read: () => Promise<number>, clock: Clock, stillWanted: () => boolean, maxSamples: number): Promise<boolean> {
  const baseline = await read();
  for (let i = 0; i < maxSamples && stillWanted(); i += 1) {
    await new Promise<void>((resolve) => clock.setTimeout(resolve, FLOW_POLL_MS));
    if (!stillWanted()) {
      return false;
    }
    if ((await read()) > baseline) {
      return true;
    }
  }
  return false;
}

interface FrameReader {
  read(): Promise<{ value?: { close(): void } }>;
  cancel(): Promise<void>;
}
type TrackProcessorClass = new (init: { track: MediaStreamTrack }) => { readable: { getReader(): FrameReader } };

/**
 * Reads one video frame from `track` within `timeoutMs`: the capture source really produces frames.
 * Used when no peer connection sends the video (nobody subscribed yet). Reads from a clone, so the
 * published track is not consumed. Prefers `MediaStreamTrackProcessor` (Chromium), else a detached
 * `<video>` with `requestVideoFrameCallback`; where neither exists, a live unmuted track has to do.
 */
export async function trackDeliversFrame(track: MediaStreamTrack, timeoutMs: number, clock: Clock): Promise<boolean> {
  if (track.readyState !== 'live') {
    return false;
  }
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorClass }).MediaStreamTrackProcessor;
  const doc = (globalThis as { document?: Document }).document;
  const canUseElement = typeof MediaStream === 'function' && doc !== undefined && 'requestVideoFrameCallback' in HTMLVideoElement.prototype;
  if (typeof Processor !== 'function' && !canUseElement) {
    return !track.muted;
  }
  const clone = track.clone();
  let timer: unknown;
  const timedOut = new Promise<false>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), timeoutMs);
  });
  let cleanup = (): void => {};
  try {
    let frame: Promise<boolean>;
    if (typeof Processor === 'function') {
      const reader = new Processor({ track: clone }).readable.getReader();
      cleanup = () => void reader.cancel().catch(() => undefined);
      frame = reader.read().then(({ value }) => {
        value?.close();
        return value !== undefined;
      });
    } else {
      const video = (doc as Document).createElement('video');
      video.muted = true;
      video.srcObject = new MediaStream([clone]);
      cleanup = () => {
        video.pause();
        video.srcObject = null;
      };
      frame = new Promise<boolean>((resolve) => {
        video.requestVideoFrameCallback(() => resolve(true));
        video.play().catch(() => resolve(false));
      });
    }
    return await Promise.race([frame, timedOut]);
  } catch {
    return false;
  } finally {
    clock.clearTimeout(timer);
    cleanup();
    clone.stop();
  }
}
