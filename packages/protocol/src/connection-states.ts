/**
 * What a connection is doing, as everyone else in the session sees it (`connectionStateChanged`).
 * `background` and `interrupted` are announced by the client; `reconnecting` and `suspended` are
 * the server's view of a client it cannot hear (unannounced, or after announcing `background`).
 */
export const ConnectionStates = {
  active: 'active',
  background: 'background',
  interrupted: 'interrupted',
  reconnecting: 'reconnecting',
  suspended: 'suspended',
} as const;

export type ConnectionState = (typeof ConnectionStates)[keyof typeof ConnectionStates];

/** The states a client may announce about itself. */
export type AnnouncedState = 'active' | 'background' | 'interrupted';

export function isConnectionState(value: unknown): value is ConnectionState {
  return typeof value === 'string' && Object.hasOwn(ConnectionStates, value);
}
