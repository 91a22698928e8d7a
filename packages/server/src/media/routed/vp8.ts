/**
 * True when a VP8 RTP payload (RFC 7741) starts a key frame: the start of partition 0 (S=1, PID=0)
 * whose frame header has the inter-frame bit P clear. Subscribers are started and resumed on such a
 * packet, so their decoder never gets a delta frame it has no reference for.
 */
export function isVp8KeyFrameStart(payload: Uint8Array): boolean {
  const first = payload[0];
  if (first === undefined || (first & 0x10) === 0 || (first & 0x07) !== 0) {
    return false;
  }
  let offset = 1;
  if (first & 0x80) {
    const extension = payload[offset];
    if (extension === undefined) {
      return false;
    }
    offset += 1;
    if (extension & 0x80) {
      // PictureID: 7 or 15 bits, the M bit says which.
      const picture = payload[offset];
      if (picture === undefined) {
        return false;
      }
      offset += picture & 0x80 ? 2 : 1;
    }
    if (extension & 0x40) {
      offset += 1; // TL0PICIDX
    }
    if (extension & 0x30) {
      offset += 1; // TID / KEYIDX
    }
  }
  const header = payload[offset];
  return header !== undefined && (header & 0x01) === 0;
}
