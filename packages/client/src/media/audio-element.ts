import type { VideoTarget } from './video-element.js';

/**
 * Creates an `<audio>` playing `stream` (audio only: video tracks in it are ignored) and appends it to
 * `target`. Used while a subscriber's video view is deferred (a phone app in the background may not
 * create video views, but must play audio). Returns undefined outside a browser.
 */
export function createAudioElement(stream: MediaStream, target: VideoTarget): HTMLAudioElement | undefined {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc || typeof doc.createElement !== 'function') {
    return undefined;
  }
  const audio = doc.createElement('audio');
  audio.autoplay = true;
  audio.className = 'vigil-subscriber-audio';
  audio.srcObject = stream;
  const parent = typeof target === 'string' ? doc.getElementById(target) : target;
  parent?.appendChild(audio);
  // Refused without a user gesture on some browsers; the later video element retries the same way.
  audio.play().catch(() => undefined);
  return audio;
}

/** Stops and detaches an element created by `createAudioElement`. */
export function removeAudioElement(audio: HTMLAudioElement | undefined): void {
  if (!audio) {
    return;
  }
  audio.pause();
  audio.srcObject = null;
  audio.remove();
}
