import type { PublisherCore } from './media/publisher-core.js';

/**
 * The `Publisher` method the stream manager calls when a moderator (the app server's
 * `forceMuteStream`/`forceMuteAll`) muted its stream. A symbol, so it stays off the public API.
 */
export const FORCE_MUTED = Symbol('vigil.forceMuted');

/**
 * Stops a force-muted publisher's audio at once, and records "audio off" as the app's own choice.
 *
 * The server has already turned the stream's `hasAudio` off and told everyone (reason `forceMuted`),
 * so nothing more is sent about it. Stopping the senders directly matters when the lifecycle engine
 * holds the app's toggles (the app is in the background): it would apply `publishAudio(false)` only on
 * return. Recording the choice through `publishAudio(false)` matters the other way: without it the
 * engine would turn the audio back on when the app returns, undoing the moderator's mute.
 *
 * As in OpenTok, the user may unmute afterwards with `publishAudio(true)`, also while the session's
 * `forceMuteAll` is active; peers then see `hasAudio` true with reason `publishAudio`.
 */
export function stopAudioForModerator(core: PublisherCore, publishAudio: (on: boolean) => void): void {
  core.setSending('audio', false);
  publishAudio(false);
}
