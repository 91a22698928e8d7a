import { VigilError } from '@vigil/protocol';

/** A device id, `false` for none, or a track the app made (canvas, screen, generated frames). */
export type MediaSource = string | boolean | MediaStreamTrack | null | undefined;

export interface CaptureOptions {
  videoSource?: MediaSource;
  audioSource?: MediaSource;
  /** `'WIDTHxHEIGHT'`, e.g. `'640x480'`, or `{ width, height }`. */
  resolution?: string | { width: number; height: number } | undefined;
  frameRate?: number | undefined;
}

export interface Captured {
  audio: MediaStreamTrack | undefined;
  video: MediaStreamTrack | undefined;
  /** Tracks this SDK opened (and so stops); the app's own tracks are left to the app. */
  owned: MediaStreamTrack[];
}

function isTrack(source: MediaSource): source is MediaStreamTrack {
  return typeof source === 'object' && source !== null && typeof (source as MediaStreamTrack).kind === 'string';
}

/** Parses `'640x480'` or `{ width, height }`; throws `TypeError` for anything else. */
export function parseResolution(resolution: CaptureOptions['resolution']): { width: number; height: number } | undefined {
  if (resolution === undefined) {
    return undefined;
  }
  if (typeof resolution === 'object') {
    return { width: resolution.width, height: resolution.height };
  }
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(resolution);
  if (!match) {
    throw new TypeError(`initPublisher: resolution must look like "640x480" (got ${resolution})`);
  }
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * Opens what the options ask for: the camera and microphone by default, a given device, nothing
 * (`false`), or the app's own track as it is. Failures become `VigilError`s: `MEDIA_ACCESS_DENIED`
 * (refused, or the device is busy) or `MEDIA_DEVICE_NOT_FOUND`.
 */
export async function capture(options: CaptureOptions): Promise<Captured> {
  const wantVideo = options.videoSource ?? true;
  const wantAudio = options.audioSource ?? true;
  const constraints: MediaStreamConstraints = {};
  if (wantVideo !== false && wantVideo !== null && !isTrack(wantVideo)) {
    const video: MediaTrackConstraints = {};
    const size = parseResolution(options.resolution);
    if (size) {
      video.width = { ideal: size.width };
      video.height = { ideal: size.height };
    }
    if (options.frameRate !== undefined) {
      video.frameRate = { ideal: options.frameRate };
    }
    if (typeof wantVideo === 'string') {
      video.deviceId = { exact: wantVideo };
    }
    constraints.video = video;
  }
  if (wantAudio !== false && wantAudio !== null && !isTrack(wantAudio)) {
    constraints.audio = typeof wantAudio === 'string' ? { deviceId: { exact: wantAudio } } : true;
  }
  let opened: MediaStream | undefined;
  if (constraints.video || constraints.audio) {
    const devices = (globalThis as { navigator?: { mediaDevices?: MediaDevices } }).navigator?.mediaDevices;
    if (!devices?.getUserMedia) {
      throw new VigilError('MEDIA_DEVICE_NOT_FOUND', 'No camera or microphone API here; pass tracks as videoSource/audioSource.');
    }
    try {
      opened = await devices.getUserMedia(constraints);
    } catch (err) {
      throw mediaError(err);
    }
  }
  const owned = opened?.getTracks() ?? [];
  return {
    video: isTrack(wantVideo) ? wantVideo : opened?.getVideoTracks()[0],
    audio: isTrack(wantAudio) ? wantAudio : opened?.getAudioTracks()[0],
    owned,
  };
}

function mediaError(err: unknown): VigilError {
  const name = (err as { name?: string } | null)?.name ?? '';
  const detail = (err as { message?: string } | null)?.message ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new VigilError('MEDIA_ACCESS_DENIED', undefined, { cause: err });
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return new VigilError('MEDIA_ACCESS_DENIED', `The camera or microphone is in use or failed (${name}).`, { cause: err });
  }
  return new VigilError('MEDIA_DEVICE_NOT_FOUND', name ? `${name}: ${detail}` : undefined, { cause: err });
}
