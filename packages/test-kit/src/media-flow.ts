import type { MediaParticipant, PageStreamStats } from './media-page.js';

export interface FlowExpectation {
  /** Expected decoded frame size (checked when given). */
  width?: number;
  height?: number;
  /** Expect video frames to be decoded (default true). */
  video?: boolean;
  /** Expect audio packets to arrive (default true). */
  audio?: boolean;
  /** How long media may take to start (default 10 s). */
  timeoutMs?: number;
  /** How long to measure once it flows (default 1 s). */
  soakMs?: number;
  /** Lowest acceptable decode rate (default 8 frames/s; the fake camera gives ~20–30). */
  minFps?: number;
  /** Lowest acceptable audio packet rate (default 20/s; Opus sends 50). */
  minAudioPps?: number;
}

export interface FlowResult {
  /** From the call until the first decoded frame (or audio packet), in ms. */
  startMs: number;
  framesPerSecond: number;
  audioPacketsPerSecond: number;
  frameWidth: number;
  frameHeight: number;
}

async function statsOf(participant: MediaParticipant, streamId: string): Promise<PageStreamStats | undefined> {
  return (await participant.stats()).find((s) => s.streamId === streamId);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `participant` really receives `streamId`: decoded frames of the right size and audio
 * packets, rising at the expected rates over a window of `soakMs`. The window slides (samples every
 * 100 ms) until `timeoutMs`, so a transient stall on a loaded machine does not fail the check, but
 * media that never reaches the rates does. Throws with the best rates and last stats seen.
 */
export async function waitForMediaFlow(participant: MediaParticipant, streamId: string, expect: FlowExpectation = {}): Promise<FlowResult> {
  const { video = true, audio = true, timeoutMs = 10_000, soakMs = 1_000, minFps = 8, minAudioPps = 20 } = expect;
  const started = Date.now();
  // Counters are cumulative: after a pause, "flowing" means rising again, not merely non-zero.
  const initial = await statsOf(participant, streamId);
  const samples: { at: number; stats: PageStreamStats }[] = [];
  let startMs: number | undefined;
  let best = { fps: 0, pps: 0 };
  let last: PageStreamStats | undefined;
  for (;;) {
    last = await statsOf(participant, streamId);
    const now = Date.now();
    if (last) {
      const sized = expect.width === undefined || (last.frameWidth === expect.width && last.frameHeight === expect.height);
      const frames = last.framesDecoded > (initial?.framesDecoded ?? 0);
      const packets = last.audioPackets > (initial?.audioPackets ?? 0);
      if (startMs === undefined && (!video || (frames && sized)) && (!audio || packets)) {
        startMs = now - started;
      }
      if (startMs !== undefined) {
        samples.push({ at: now, stats: last });
        const from = [...samples].reverse().find((sample) => now - sample.at >= soakMs);
        if (from) {
          const seconds = (now - from.at) / 1000;
          const fps = (last.framesDecoded - from.stats.framesDecoded) / seconds;
          const pps = (last.audioPackets - from.stats.audioPackets) / seconds;
          best = { fps: Math.max(best.fps, fps), pps: Math.max(best.pps, pps) };
          if ((!video || (fps >= minFps && sized)) && (!audio || pps >= minAudioPps)) {
            return { startMs, framesPerSecond: fps, audioPacketsPerSecond: pps, frameWidth: last.frameWidth, frameHeight: last.frameHeight };
          }
        }
      }
    }
    if (now - started > timeoutMs) {
      throw new Error(
        `${participant.name}: ${streamId} not flowing within ${timeoutMs} ms (started: ${startMs ?? 'no'}, best ${best.fps.toFixed(1)} fps, ${best.pps.toFixed(0)} audio packets/s; last ${JSON.stringify(last)})`,
      );
    }
    await sleep(100);
  }
}

/**
 * How much of `kind` still arrives from `streamId`: lets in-flight media land (`settleMs`), then counts
 * RTP packets over `windowMs`. Packets, not decoded frames: a decoder on a loaded machine may still be
 * working through a backlog after the sender stopped. Near 0 means the media stopped.
 */
export async function mediaArriving(participant: MediaParticipant, streamId: string, kind: 'audio' | 'video', options: { settleMs?: number; windowMs?: number } = {}): Promise<number> {
  await sleep(options.settleMs ?? 500);
  const pick = (s: PageStreamStats | undefined): number => (kind === 'video' ? (s?.videoPackets ?? 0) : (s?.audioPackets ?? 0));
  const before = pick(await statsOf(participant, streamId));
  await sleep(options.windowMs ?? 1_000);
  return pick(await statsOf(participant, streamId)) - before;
}
