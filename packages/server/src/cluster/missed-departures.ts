import { decodeBusFrame, encodeBusFrame } from './bus-frame.js';
import { unstampFrame } from './frame-stamp.js';

// Departures a node missed while it was not listening on a session's channel (frames are only
// published): a member or stream it still shows but the store no longer has is looked up in the
// session's recent log. Its logged end is what the node delivers, once, unstamped (its members heard
// later frames of that origin, and clients keep the last stamp they heard). Without such an entry (the
// store lost its data) nothing is invented: its node asserts it again, or its lease runs out.

/** How far back a resync looks for departures it missed. */
export const CATCH_UP_FRAMES = 2_000;

/** The logged ends (bus frames, oldest first) of the members and streams in `gone`, each at most once. */
export function missedEnds(logged: string[], gone: { members: Set<string>; streams: Set<string> }): { frame: string; ended: string }[] {
  const members = new Set(gone.members);
  const streams = new Set(gone.streams);
  const found: { frame: string; ended: string }[] = [];
  for (const text of logged) {
    const frame = decodeBusFrame(text);
    if (frame?.kind !== 'broadcast' || !(frame.member || frame.stream)) {
      continue;
    }
    const end = endOf(frame.payload);
    if ((end?.type === 'connectionDestroyed' && members.delete(end.id)) || (end?.type === 'streamDestroyed' && streams.delete(end.id))) {
      found.push({ frame: encodeBusFrame({ ...frame, payload: unstampFrame(frame.payload) }), ended: end.id });
    }
  }
  return found;
}

/** The connection or stream a `connectionDestroyed` / `streamDestroyed` payload ends. */
function endOf(payload: string): { type: 'connectionDestroyed' | 'streamDestroyed'; id: string } | undefined {
  try {
    const m = JSON.parse(payload) as Record<string, unknown>;
    if (m['type'] === 'connectionDestroyed' && typeof m['connectionId'] === 'string') {
      return { type: 'connectionDestroyed', id: m['connectionId'] };
    }
    if (m['type'] === 'streamDestroyed' && typeof m['streamId'] === 'string') {
      return { type: 'streamDestroyed', id: m['streamId'] };
    }
  } catch {
    // not JSON: not an end
  }
  return undefined;
}
