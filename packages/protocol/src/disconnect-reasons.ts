/**
 * Why a connection left the session. Every `connectionDestroyed` and `sessionDisconnected` carries exactly
 * one of these; there is no "unknown".
 */
export const DisconnectReasons = {
  /** The client called `disconnect()`. */
  clientDisconnected: 'clientDisconnected',
  /** A moderator or the app server removed it, or the server closed it for breaking the protocol. */
  forceDisconnected: 'forceDisconnected',
  /** It went silent without announcing it (network loss, crash) and did not come back in time. */
  networkDisconnected: 'networkDisconnected',
  /** It announced going to the background, then went silent (suspended by the OS) past the grace. */
  suspended: 'suspended',
  /** Its token expired while connected. */
  tokenExpired: 'tokenExpired',
  /** The server shut down. */
  serverShutdown: 'serverShutdown',
} as const;

export type DisconnectReason = (typeof DisconnectReasons)[keyof typeof DisconnectReasons];

export function isDisconnectReason(value: unknown): value is DisconnectReason {
  return typeof value === 'string' && Object.hasOwn(DisconnectReasons, value);
}
