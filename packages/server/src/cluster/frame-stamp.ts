/**
 * Stamps on the frames a deployment shares (docs/scale-out.md, "When a node dies"). Every frame that
 * crosses nodes starts with `{"vo":"<origin>.<n>",…`: the node that published it and its own running
 * count, so the frames of one origin reach a client in stamp order. The SDK keeps the last stamp of each
 * origin and presents them when it resumes; if its node died meanwhile, the node taking it over replays
 * from the session's log exactly the frames after those stamps. Frames about a dead node's members that
 * the survivors' reaper announces have the origin `~<dead node>` and a per-session count kept in Redis.
 */
const HEAD = '{"vo":"';

export interface Stamp {
  origin: string;
  /** A count (`123`). */
  n: string;
}

/** `bytes` (a JSON object) with the stamp as its first member. */
export function stampFrame(bytes: Buffer, origin: string, n: number | string): Buffer {
  return Buffer.concat([Buffer.from(`${HEAD}${origin}.${n}",`), bytes.subarray(1)]);
}

/** `frame` with its stamp (if any) replaced by a fresh one from `stamp` (a departure sent late, after an outage). */
export function restampFrame(frame: string, stamp: (bytes: Buffer) => Buffer): string {
  return stamp(Buffer.from(unstampFrame(frame))).toString();
}

/** `frame` without its stamp (if any). */
export function unstampFrame(frame: string): string {
  return readStamp(frame) ? `{${frame.slice(frame.indexOf('",', HEAD.length) + 2)}` : frame;
}

/** The stamp a frame starts with, or undefined. */
export function readStamp(frame: string): Stamp | undefined {
  if (!frame.startsWith(HEAD)) {
    return undefined;
  }
  const end = frame.indexOf('"', HEAD.length);
  const text = end < 0 ? '' : frame.slice(HEAD.length, end);
  const dot = text.lastIndexOf('.');
  return dot > 0 ? { origin: text.slice(0, dot), n: text.slice(dot + 1) } : undefined;
}

/** Whether stamp `n` comes after `seen` (same origin); also reads `ms-seq` ids, should an origin use them. */
export function isAfter(n: string, seen: string): boolean {
  const [aMs = 0, aSeq = 0] = n.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = seen.split('-').map(Number);
  return aMs !== bMs ? aMs > bMs : aSeq > bSeq;
}

const ORIGIN = /^~?[A-Za-z0-9_-]{1,64}$/;
const N = /^\d{1,16}(-\d{1,16})?$/;

/**
 * Parses the `ov` query parameter of a resume: `origin.n` pairs separated by commas (the last stamp the
 * client saw from each origin). Undefined when malformed.
 */
export function parseSeenStamps(text: string): Map<string, string> | undefined {
  const seen = new Map<string, string>();
  if (text === '') {
    return seen;
  }
  const parts = text.split(',');
  if (parts.length > 64) {
    return undefined;
  }
  for (const part of parts) {
    const dot = part.lastIndexOf('.');
    const origin = part.slice(0, dot);
    const n = part.slice(dot + 1);
    if (dot <= 0 || !ORIGIN.test(origin) || !N.test(n)) {
      return undefined;
    }
    seen.set(origin, n);
  }
  return seen;
}
