import { utf8Length } from './limits.js';
import { MediaLimits } from './streams.js';
import { VigilError } from './vigil-error.js';

const MAX_LINES = 4096;
const MAX_LINE_LENGTH = 4096;
/** Vigil's peer connections carry one audio and one video section; leave room, refuse floods. */
const MAX_MEDIA_SECTIONS = 8;
// `x=value`, no control characters except tab (a NUL or an escape sequence in an SDP is an attack).
// eslint-disable-next-line no-control-regex
const LINE = /^[a-z]=[^\x00-\x08\x0a-\x1f\x7f]*$/;
const MEDIA_LINE = /^m=(audio|video) \d{1,5}(\/\d{1,5})? [A-Za-z/]{1,32}( \d{1,3})+$/;

/**
 * A cheap structural check of a session description before it is forwarded to another client or
 * parsed by the forwarding unit: size, line syntax, and only audio and video sections. It does not
 * parse codecs; a browser or the media engine refuses what it cannot use. Throws `SDP_TOO_LARGE` or
 * `SDP_INVALID` naming the first problem (never echoing the line, which may be hostile).
 */
export function checkSdp(sdp: string): void {
  if (utf8Length(sdp) > MediaLimits.maxSdpBytes) {
    throw new VigilError('SDP_TOO_LARGE');
  }
  if (!sdp.startsWith('v=0\r\n') && !sdp.startsWith('v=0\n')) {
    throw new VigilError('SDP_INVALID', 'A session description starts with "v=0".');
  }
  const lines = sdp.split(/\r?\n/);
  if (lines.length > MAX_LINES) {
    throw new VigilError('SDP_INVALID', `A session description has at most ${MAX_LINES} lines.`);
  }
  let media = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (line === '' && i === lines.length - 1) {
      break; // the final line break
    }
    if (line.length > MAX_LINE_LENGTH || !LINE.test(line)) {
      throw new VigilError('SDP_INVALID', `Line ${i + 1} of the session description is not "x=value".`);
    }
    if (line.startsWith('m=')) {
      if (!MEDIA_LINE.test(line)) {
        throw new VigilError('SDP_INVALID', `Line ${i + 1}: only audio and video media sections are supported.`);
      }
      media += 1;
    }
  }
  if (media === 0 || media > MAX_MEDIA_SECTIONS) {
    throw new VigilError('SDP_INVALID', `A session description needs 1 to ${MAX_MEDIA_SECTIONS} audio or video sections.`);
  }
}
