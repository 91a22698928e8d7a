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
 * Waits until `participant` really receives `streamId` (decoded frames of the right size, audio
 * packets), then measures the rates over a soak and checks them. Throws with the last stats seen.
 */
export async function waitForMediaFlow(participant: MediaParticipant, streamId: string, expect: FlowExpectation = {}): Promise<FlowResult> {
  const { video = true, audio = true, timeoutMs = 10_000, soakMs = 1_000, minFps = 8, minAudioPps = 20 } = expect;
  const started = Date.now();
  let last: PageStreamStats | undefined;
  for (;;) {
    last = await statsOf(participant, streamId);
    const sized = expect.width === undefined || (last?.frameWidth === expect.width && last.frameHeight === expect.height);
    if (last && (!video || (last.framesDecoded > 0 && sized)) && (!audio || last.audioPackets > 0)) {
      break;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${participant.name}: no media from ${streamId} within ${timeoutMs} ms (last ${JSON.stringify(last)})`);
    }
    await sleep(50);
  }
  const startMs = Date.now() - started;
  const before = last;
  const t0 = Date.now();
  await sleep(soakMs);
  const after = (await statsOf(participant, streamId)) ?? before;
  const seconds = (Date.now() - t0) / 1000;
  const result: FlowResult = {
    startMs,
    framesPerSecond: (after.framesDecoded - before.framesDecoded) / seconds,
    audioPacketsPerSecond: (after.audioPackets - before.audioPackets) / seconds,
    frameWidth: after.frameWidth,
    frameHeight: after.frameHeight,
  };
  if (video && result.framesPerSecond < minFps) {
    throw new Error(`${participant.name}: video from ${streamId} at ${result.framesPerSecond.toFixed(1)} fps (< ${minFps})`);
  }
  if (audio && result.audioPacketsPerSecond < minAudioPps) {
    throw new Error(`${participant.name}: audio from ${streamId} at ${result.audioPacketsPerSecond.toFixed(1)} packets/s (< ${minAudioPps})`);
  }
  if (expect.width !== undefined && (result.frameWidth !== expect.width || result.frameHeight !== expect.height)) {
    throw new Error(`${participant.name}: ${streamId} is ${result.frameWidth}x${result.frameHeight}, expected ${expect.width}x${expect.height}`);
  }
  return result;
}

/**
 * How much of `kind` still arrives from `streamId`: lets in-flight media land (`settleMs`), then counts
 * decoded frames (video) or packets (audio) over `windowMs`. Near 0 means the media stopped.
 */
export async function mediaArriving(participant: MediaParticipant, streamId: string, kind: 'audio' | 'video', options: { settleMs?: number; windowMs?: number } = {}): Promise<number> {
  await sleep(options.settleMs ?? 500);
  const pick = (s: PageStreamStats | undefined): number => (kind === 'video' ? (s?.framesDecoded ?? 0) : (s?.audioPackets ?? 0));
  const before = pick(await statsOf(participant, streamId));
  await sleep(options.windowMs ?? 1_000);
  return pick(await statsOf(participant, streamId)) - before;
}
