/**
 * Every error Vigil reports, defined once. The key is the stable wire code; `status` is the HTTP status
 * used when the error answers a request (REST, or a refused WebSocket upgrade); `message` is the default
 * text. Codes are never renamed or reused: retire one by leaving it here with `retired: true`.
 * `docs/errors.md` lists the same table; a test keeps the two in lockstep.
 */
export const ErrorCodes = {
  // Authentication and tokens (checked before the WebSocket upgrade).
  TOKEN_MISSING: { status: 401, message: 'A client token is required to connect.' },
  TOKEN_INVALID: { status: 401, message: 'The token is malformed or its signature does not match.' },
  TOKEN_EXPIRED: { status: 401, message: 'The token has expired; ask the app server for a new one.' },
  TOKEN_WRONG_SESSION: { status: 403, message: 'The token was issued for a different session.' },
  TOKEN_WRONG_KEY: { status: 403, message: 'The token was issued for an API key this server does not know.' },
  SESSION_ID_INVALID: { status: 400, message: 'The session id is malformed or belongs to another API key.' },
  AUTH_FAILED: { status: 403, message: 'Invalid API key or secret.' },
  RESUME_FAILED: { status: 404, message: 'The connection cannot be resumed (its grace period ended); join again.' },
  RESUME_TOKEN_INVALID: { status: 401, message: 'The resume credential does not match the connection.' },
  PROTOCOL_UNSUPPORTED: { status: 400, message: 'The client speaks a protocol version this server does not support.' },

  // Inbound messages.
  MESSAGE_MALFORMED: { status: 400, message: 'The message is not valid JSON.' },
  MESSAGE_BINARY: { status: 400, message: 'Binary frames are not part of the protocol; send JSON text.' },
  MESSAGE_UNKNOWN_TYPE: { status: 400, message: 'Unknown message type.' },
  MESSAGE_INVALID: { status: 400, message: 'The message does not match its schema.' },
  MESSAGE_TOO_LARGE: { status: 413, message: 'The message exceeds the maximum frame size.' },
  RATE_LIMITED: { status: 429, message: 'Too many messages; slow down.' },

  // Signals.
  SIGNAL_TYPE_TOO_LONG: { status: 413, message: 'Signal type exceeds 128 bytes.' },
  SIGNAL_DATA_TOO_LONG: { status: 413, message: 'Signal data exceeds 8 KB.' },
  SIGNAL_TYPE_INVALID: { status: 400, message: 'Signal type may only contain letters, digits, "-", "_" and "~".' },

  // Sessions, connections, permissions.
  SESSION_NOT_FOUND: { status: 404, message: 'Session not found.' },
  CONNECTION_NOT_FOUND: { status: 404, message: 'Connection not found in this session.' },
  NOT_PERMITTED: { status: 403, message: 'The connection role does not allow this action.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed on this resource.' },
  REQUEST_INVALID: { status: 400, message: 'The request body or parameters are invalid.' },
  REQUEST_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  NOT_IMPLEMENTED: { status: 501, message: 'Vigil does not serve this endpoint yet.' },
  CONTENT_TYPE_UNSUPPORTED: { status: 415, message: 'Send the request body as application/json.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large.' },

  // Streams and media.
  STREAM_NOT_FOUND: { status: 404, message: 'No such stream in this session (it may have been unpublished).' },
  STREAM_ALREADY_PUBLISHED: { status: 409, message: 'A stream with this id is already published.' },
  STREAM_LIMIT_REACHED: { status: 409, message: 'This connection already publishes as many streams as the server allows.' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, message: 'No such subscription to this stream.' },
  SUBSCRIPTION_ALREADY_EXISTS: { status: 409, message: 'A subscription with this id already exists.' },
  SUBSCRIPTION_LIMIT_REACHED: { status: 409, message: 'This connection already subscribes to as many streams as the server allows.' },
  SDP_INVALID: { status: 400, message: 'The session description is malformed or offers nothing this server can use.' },
  SDP_TOO_LARGE: { status: 413, message: 'The session description exceeds 64 KiB.' },
  MEDIA_ACCESS_DENIED: { status: 403, message: 'Access to the camera or microphone was denied.' },
  MEDIA_DEVICE_NOT_FOUND: { status: 404, message: 'The requested camera or microphone was not found.' },
  MEDIA_CONNECTION_FAILED: { status: 502, message: 'The media connection could not be established.' },
  LAYOUT_CLASS_LIST_INVALID: {
    status: 400,
    message: 'A layout class list is invalid: at most 64 names of letters, digits, "-" and "_" (64 characters each), 1024 characters in all.',
  },
  LAYOUT_STREAM_NOT_FOUND: { status: 400, message: 'A stream in the class list is not published in this session; nothing was changed.' },

  // Push wake-up: identities, push registrations, invites.
  IDENTITY_NOT_FOUND: { status: 404, message: 'Nobody with this identity is in the session, and it has no push registrations.' },
  IDENTITY_MISMATCH: { status: 403, message: 'The client token names a different identity.' },
  IDENTITY_REQUIRED: { status: 400, message: 'Name an identity (or connect with a token whose data names one).' },
  PUSH_REGISTRATION_INVALID: { status: 400, message: 'The push token or subscription is malformed.' },
  PUSH_REGISTRATION_NOT_FOUND: { status: 404, message: 'No such push registration.' },
  PUSH_NOT_CONFIGURED: { status: 501, message: 'This server has no credentials for that push service.' },
  INVITE_NOT_FOUND: { status: 404, message: 'No such invite (it may have expired or been cancelled).' },
  INVITE_ID_IN_USE: { status: 409, message: 'An invite with this id already exists.' },
  INVITE_DATA_TOO_LONG: { status: 413, message: 'Invite data exceeds 2 KB (it travels inside the push).' },

  // Client-side states.
  NOT_CONNECTED: { status: 409, message: 'The session is not connected.' },
  ALREADY_CONNECTED: { status: 409, message: 'The session is already connected or connecting.' },
  CONNECT_FAILED: { status: 503, message: 'Could not reach the Vigil server.' },
  REQUEST_TIMEOUT: { status: 504, message: 'The server did not answer in time.' },
  DISCONNECTED: { status: 503, message: 'The connection closed before the request completed.' },

  // Server.
  SERVER_SHUTTING_DOWN: { status: 503, message: 'The server is shutting down.' },
  NODE_UNREACHABLE: { status: 502, message: 'The node that serves this session did not answer; try again.' },
  SESSION_ELSEWHERE: { status: 421, message: 'Another node serves this session; connect to the URL in `redirect`.' },
  SERVER_BUSY: { status: 503, message: 'The server is accepting connections at its configured rate; try again shortly.' },
  STORE_UNAVAILABLE: { status: 503, message: 'The shared store (Redis) is unreachable; try again shortly.' },
  INTERNAL: { status: 500, message: 'Internal server error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

/** True when `code` is one of Vigil's error codes (own property, so `toString` is not a code). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code);
}
