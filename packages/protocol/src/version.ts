/**
 * Wire protocol versions. A client sends the version it speaks in the connect URL; the server accepts
 * any version in [MIN_PROTOCOL_VERSION, PROTOCOL_VERSION].
 *
 * 1 — sessions, connections, signals, heartbeats.
 */
export const PROTOCOL_VERSION = 1;
export const MIN_PROTOCOL_VERSION = 1;
