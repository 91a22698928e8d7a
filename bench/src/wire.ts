/**
 * The few bytes of the wire format the receivers process needs, read straight from the frame's Buffer:
 * JSON-parsing 2 M deliveries would burn the CPU the server needs (both share 2 cores).
 * A bench signal's data is `<seq>:<sentAtUs>:<padding>`; both servers keep it byte for byte.
 */
export const SIGNAL_PREFIX = Buffer.from('{"type":"signal"');
const DATA_KEY = Buffer.from('"data":"');
const COLON = 0x3a;

const STAMP_HEAD = Buffer.from('{"vo":"');
const TYPE_SIGNAL = Buffer.from('"type":"signal"');

/** Whether a frame is a signal. In a multi-node deployment shared frames start with a stamp (`"vo":"node.n",`). */
export function isSignal(buf: Buffer): boolean {
  if (startsWith(buf, SIGNAL_PREFIX)) {
    return true;
  }
  if (!startsWith(buf, STAMP_HEAD)) {
    return false;
  }
  const end = buf.indexOf(0x22, STAMP_HEAD.length); // the stamp's closing quote, then a comma
  return end > 0 && buf.compare(TYPE_SIGNAL, 0, TYPE_SIGNAL.length, end + 2, end + 2 + TYPE_SIGNAL.length) === 0;
}

export function startsWith(buf: Buffer, prefix: Buffer): boolean {
  if (buf.length < prefix.length) {
    return false;
  }
  for (let i = 0; i < prefix.length; i += 1) {
    if (buf[i] !== prefix[i]) {
      return false;
    }
  }
  return true;
}

/** `{seq, sentAtUs}` of a bench signal, or undefined when the frame is not one. */
export function readBenchData(buf: Buffer): { seq: number; sentAtUs: number } | undefined {
  const start = buf.indexOf(DATA_KEY, SIGNAL_PREFIX.length);
  if (start < 0) {
    return undefined;
  }
  let i = start + DATA_KEY.length;
  let seq = 0;
  for (let c = buf[i]; c !== undefined && c !== COLON; c = buf[++i]) {
    seq = seq * 10 + (c - 0x30);
  }
  let sentAtUs = 0;
  for (let c = buf[++i]; c !== undefined && c !== COLON; c = buf[++i]) {
    sentAtUs = sentAtUs * 10 + (c - 0x30);
  }
  return Number.isSafeInteger(seq) && seq > 0 ? { seq, sentAtUs } : undefined;
}

/** The client message the sender writes; the same bytes go to Vigil and to the raw server. */
export function benchSignal(seq: number, sentAtUs: number, dataBytes: number, padding: string): string {
  const head = `${seq}:${sentAtUs}:`;
  return `{"type":"signal","id":${seq},"signalType":"bench","data":"${head}${padding.slice(0, Math.max(0, dataBytes - head.length))}"}`;
}

/** First bytes of a non-signal frame, enough to tell welcome, ack, error, pong and presence apart. */
export function frameType(buf: Buffer): string {
  const head = buf.toString('latin1', 0, Math.min(buf.length, 100));
  const match = /^\{(?:"vo":"[^"]*",)?"type":"([A-Za-z]+)"/.exec(head);
  return match?.[1] ?? '';
}
