import { SIGNAL_TYPE_PATTERN, SignalLimits, VigilError, utf8Length } from '@vigil/protocol';
import type { Connection } from './connection.js';

/** What `session.signal()` takes, as in OpenTok. */
export interface SignalOptions {
  /** Up to 128 bytes of letters, digits, '-', '_' and '~'. Listeners of `signal:<type>` receive it. */
  type?: string;
  /** Up to 8 KB (UTF-8). */
  data?: string;
  /** One recipient; everyone in the session (you included) when absent. */
  to?: Connection | string;
  /** Queue the signal while reconnecting and send it on return (default true), as in OpenTok. */
  retryAfterReconnect?: boolean;
}

/** Checks a signal before it is sent, with the same codes the server would use. */
export function checkSignalOptions(options: SignalOptions): { signalType: string; data: string; to?: string } {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('signal() takes an options object: { type?, data?, to? }');
  }
  const signalType = options.type ?? '';
  const data = options.data ?? '';
  if (typeof signalType !== 'string' || typeof data !== 'string') {
    throw new TypeError('signal type and data must be strings');
  }
  if (utf8Length(signalType) > SignalLimits.maxTypeBytes) {
    throw new VigilError('SIGNAL_TYPE_TOO_LONG');
  }
  if (!SIGNAL_TYPE_PATTERN.test(signalType)) {
    throw new VigilError('SIGNAL_TYPE_INVALID');
  }
  if (utf8Length(data) > SignalLimits.maxDataBytes) {
    throw new VigilError('SIGNAL_DATA_TOO_LONG');
  }
  const to = typeof options.to === 'string' ? options.to : options.to?.connectionId;
  return to === undefined ? { signalType, data } : { signalType, data, to };
}
