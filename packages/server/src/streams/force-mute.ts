import type { Session } from '../session-registry.js';
import type { ServerStream } from './server-stream.js';
import type { StreamService } from './stream-service.js';
import { setStreamMedia } from './stream-updates.js';

/** A session's mute state while `forceMuteAll` is active. */
export interface MuteState {
  /** Streams (present or future) that `forceMuteAll` leaves alone. */
  readonly excluded: ReadonlySet<string>;
}

/**
 * OpenTok's moderator mute, driven by the app server's REST calls. What it does, as OpenTok does:
 * - a muted stream's `hasAudio` turns false (everyone gets `streamPropertyChanged`, subscribers
 *   `audioDisabled`, reason `forceMuted`) and its publisher is told (`streamMuteForced`) and stops
 *   sending audio;
 * - `forceMuteAll` mutes every stream but the excluded ones, now and any published while it is active,
 *   and tells every member (`muteForced`, `active: true`); `disableForceMute` ends that (`active: false`)
 *   without unmuting anyone;
 * - a muted publisher may turn its audio back on, even while `forceMuteAll` is active (OpenTok's
 *   clients can; the mute is a moderation nudge, not a lock).
 *
 * The state lives as long as the `Session` object, i.e. while someone is connected: Vigil forgets an
 * empty session, its mute state with it.
 */
export class ForceMute {
  readonly #states = new WeakMap<Session, MuteState>();
  readonly #service: StreamService;

  constructor(service: StreamService) {
    this.#service = service;
  }

  /** The active `forceMuteAll` state, if any. */
  state(session: Session): MuteState | undefined {
    return this.#states.get(session);
  }

  /** Whether a stream being published now starts muted (`forceMuteAll` active and the id not excluded). */
  mutesNewStream(session: Session, streamId: string): boolean {
    const state = this.#states.get(session);
    return state !== undefined && !state.excluded.has(streamId);
  }

  /** Mutes one stream: its audio flag goes off (announced once) and its publisher is always told. */
  muteStream(session: Session, stream: ServerStream): void {
    setStreamMedia(this.#service, session, stream, 'audio', false, 'forceMuted');
    // Told even when the audio was already off (the app or the lifecycle paused it), so the publisher
    // does not turn it back on by itself later, e.g. when the app returns from the background.
    this.#service.messaging.send(stream.publisher, { type: 'streamMuteForced', streamId: stream.id });
  }

  /** Starts (or restarts, with a new exclusion list) the session's mute state; returns the streams muted. */
  muteAll(session: Session, excludedStreamIds: Iterable<string>): string[] {
    const excluded = new Set(excludedStreamIds);
    this.#states.set(session, { excluded });
    this.#service.messaging.broadcast(session, { type: 'muteForced', active: true });
    const muted: string[] = [];
    for (const stream of [...session.streams.values()]) {
      if (!excluded.has(stream.id)) {
        this.muteStream(session, stream);
        muted.push(stream.id);
      }
    }
    return muted;
  }

  /** Ends the mute state: later streams publish as they ask; muted ones stay muted. */
  disable(session: Session): void {
    this.#states.delete(session);
    this.#service.messaging.broadcast(session, { type: 'muteForced', active: false });
  }
}
