import type { DisconnectReason } from './disconnect-reasons.js';

/**
 * WebSocket close codes Vigil uses (private range 4000–4999). The server always sends a
 * `disconnected { reason }` message before closing, so the code is a fallback for clients that miss it.
 */
export const CloseCodes = {
  clientDisconnected: 4000,
  forceDisconnected: 4001,
  networkDisconnected: 4002,
  suspended: 4003,
  tokenExpired: 4004,
  serverShutdown: 4005,
  protocolViolation: 4010,
} as const;

export function closeCodeForReason(reason: DisconnectReason): number {
  return CloseCodes[reason];
}

/** The reason a close code stands for; codes outside Vigil's range mean the network dropped us. */
export function reasonForCloseCode(code: number): DisconnectReason {
  switch (code) {
    case CloseCodes.clientDisconnected:
      return 'clientDisconnected';
    case CloseCodes.forceDisconnected:
    case CloseCodes.protocolViolation:
    case 1008:
    case 1009:
      return 'forceDisconnected';
    case CloseCodes.suspended:
      return 'suspended';
    case CloseCodes.tokenExpired:
      return 'tokenExpired';
    case CloseCodes.serverShutdown:
    case 1001:
      return 'serverShutdown';
    default:
      return 'networkDisconnected';
  }
}
