/** Where a publisher's preview or a subscriber's video goes: an element, or an element id. */
export type VideoTarget = HTMLElement | string | null | undefined;

function documentOrUndefined(): Document | undefined {
  const doc = (globalThis as { document?: Document }).document;
  return doc && typeof doc.createElement === 'function' ? doc : undefined;
}

/**
 * Creates a `<video>` playing `stream` and appends it to `target`. Returns undefined outside a
 * browser. A muted element (the local preview) may always autoplay; an unmuted one the browser
 * refuses to start is retried muted, so the picture shows even before the user has interacted.
 */
export function createVideoElement(stream: MediaStream, target: VideoTarget, options: { muted: boolean; className: string }): HTMLVideoElement | undefined {
  const doc = documentOrUndefined();
  if (!doc) {
    return undefined;
  }
  const video = doc.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = options.muted;
  video.className = options.className;
  video.srcObject = stream;
  const parent = typeof target === 'string' ? doc.getElementById(target) : target;
  parent?.appendChild(video);
  video.play().catch(() => {
    if (!video.muted) {
      video.muted = true;
      video.play().catch(() => undefined);
    }
  });
  return video;
}

/** Stops and detaches an element created by `createVideoElement`. */
export function removeVideoElement(video: HTMLVideoElement | undefined): void {
  if (!video) {
    return;
  }
  video.pause();
  video.srcObject = null;
  video.remove();
}
