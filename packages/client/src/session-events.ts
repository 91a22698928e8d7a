import type { ConnectionState, DisconnectReason, StreamDestroyedReason, StreamProperty, StreamPropertyReason, StreamPropertyValue, VigilError } from '@vigil/protocol';
import type { Connection } from './connection.js';
import type { Stream } from './stream.js';
import type { InviteEvent } from './push-client.js';

export interface SignalEvent {
  /** The signal's type ('' when none was given). */
  type: string;
  data: string;
  /** The sender; `null` when the app server sent it over REST. */
  from: Connection | null;
}

/** Every event a `Session` emits, each with one payload object. Names follow OpenTok. */
export type SessionEvents = {
  sessionConnected: { connection: Connection; connections: Connection[] };
  /** Someone else's stream is up (also for each stream already there when you connect). */
  streamCreated: { stream: Stream };
  /** Someone else's stream ended: `unpublished`, `mediaStopped`, or its connection's exit reason. */
  streamDestroyed: { stream: Stream; reason: StreamDestroyedReason };
  /**
   * A stream started or stopped sending audio or video (reason `forceMuted` when a moderator muted it),
   * its video size changed, or the app server set its `layoutClassList` (values are class-name arrays).
   */
  streamPropertyChanged: {
    stream: Stream;
    changedProperty: StreamProperty;
    oldValue: StreamPropertyValue;
    newValue: StreamPropertyValue;
    reason: StreamPropertyReason;
  };
  /**
   * The app server started (`forceMuteAll`, `active: true`) or ended (`disableForceMute`, `active: false`)
   * the session's mute state, as OpenTok's Session `muteForced`. While active, new streams start muted;
   * your own muted publisher also gets the Publisher's `muteForced`.
   */
  muteForced: { active: boolean };
  connectionCreated: { connection: Connection };
  connectionDestroyed: { connection: Connection; reason: DisconnectReason };
  signal: SignalEvent;
  sessionDisconnected: { reason: DisconnectReason };
  /** The link dropped; the SDK is resuming the same connection (or rejoining after the grace). */
  sessionReconnecting: Record<string, never>;
  /**
   * Back. `rejoined: false` — the same connection resumed, nothing was lost. `rejoined: true` — the
   * grace had ended, so the SDK joined again with a new connection (`previousConnectionId` was yours).
   */
  sessionReconnected: { rejoined: boolean; previousConnectionId?: string };
  /** A peer's state changed: background, interrupted, reconnecting, suspended, or active again. */
  connectionStateChanged: { connection: Connection; state: ConnectionState; reason: string };
  /**
   * The app went to the background with no active publisher or subscriber: the OS will suspend it
   * soon. The server will treat the silence as a suspension (peers see `suspended`, not a failure).
   */
  backgroundWithoutMedia: Record<string, never>;
  /** Signals sent to you while you were away were dropped because the server's buffer was full. */
  signalsDropped: { count: number };
  /** You were invited into a session (a call); see docs/push.md. */
  invite: InviteEvent;
  /** An invite you received was withdrawn. */
  inviteCancelled: { inviteId: string; sessionId: string };
  /** An app listener threw; the SDK carried on. */
  exception: { error: unknown; event: string };
  /** A server error not tied to a request. */
  error: { error: VigilError };
} & { [K in `signal:${string}`]: SignalEvent };
