import type { DisconnectReason, VigilError } from '@vigil/protocol';
import type { Connection } from './connection.js';

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
  connectionCreated: { connection: Connection };
  connectionDestroyed: { connection: Connection; reason: DisconnectReason };
  signal: SignalEvent;
  sessionDisconnected: { reason: DisconnectReason };
  /** An app listener threw; the SDK carried on. */
  exception: { error: unknown; event: string };
  /** A server error not tied to a request. */
  error: { error: VigilError };
} & { [K in `signal:${string}`]: SignalEvent };
