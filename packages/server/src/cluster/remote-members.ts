import { isConnectionState, isRole, type AnnouncedState, type ConnectionInfo, type Role } from '@vigil/protocol';

/** What another node needs to take a member over if its node dies (`takeover.ts`). */
export interface ResumeRecord {
  role: Role;
  /** SHA-256 of the resume token (hex): enough to check one, useless to present. */
  tokenHash: string;
  announced: AnnouncedState;
  layout: string[];
  /** It publishes or subscribes: such a member rejoins rather than resumes elsewhere. */
  media: boolean;
}

/** A member as stored in Redis (and, for other nodes' members, mirrored on every node serving the session). */
export interface MemberRecord {
  node: string;
  info: ConnectionInfo;
  resume?: ResumeRecord;
  /** Its node died; a survivor ends it when its grace runs out unless its client resumes elsewhere first. */
  orphan?: boolean;
}

/**
 * What one node knows of a session's members on other nodes. Built from a snapshot (the session's
 * member hash) plus the presence frames on the session's channel. The channel is subscribed before the
 * snapshot is read, and the two race on separate Redis connections, so frames that arrive before the
 * snapshot win over it: a member destroyed meanwhile is not resurrected, one created meanwhile is kept.
 */
export class RemoteMembers {
  readonly #members = new Map<string, MemberRecord>();
  /** Ids destroyed (and states seen) while the snapshot was on its way; dropped once it is applied. */
  #pending: { gone: Set<string>; states: Map<string, ConnectionInfo['state']> } | undefined = { gone: new Set(), states: new Map() };
  readonly #self: string;

  constructor(selfNode: string) {
    this.#self = selfNode;
  }

  get size(): number {
    return this.#members.size;
  }

  has(id: string): boolean {
    return this.#members.has(id);
  }

  get(id: string): MemberRecord | undefined {
    return this.#members.get(id);
  }

  /** A member that moved here from this node (it now holds it no more). */
  add(record: MemberRecord): void {
    if (record.node !== this.#self) {
      this.#members.set(record.info.id, { node: record.node, info: { ...record.info } });
    }
  }

  /** A member that moved to this node, or was lost in a handoff. */
  delete(id: string): boolean {
    return this.#members.delete(id);
  }

  /** The nodes holding these members. */
  nodes(): Set<string> {
    return new Set([...this.#members.values()].map((record) => record.node));
  }

  /** Oldest first, like the welcome's list of local members. */
  list(): ConnectionInfo[] {
    return [...this.#members.values()].map((m) => ({ ...m.info })).sort((a, b) => a.creationTime - b.creationTime);
  }

  /**
   * Applies the member hash read after subscribing (or re-read after a Redis outage: then it only adds).
   * Records of this node are not remote.
   */
  applySnapshot(records: Iterable<MemberRecord>): void {
    const pending = this.#pending;
    this.#pending = undefined;
    for (const record of records) {
      if (record.node === this.#self || this.#members.has(record.info.id) || pending?.gone.has(record.info.id)) {
        continue;
      }
      const state = pending?.states.get(record.info.id);
      this.#members.set(record.info.id, { node: record.node, info: state ? { ...record.info, state } : record.info });
    }
  }

  /**
   * Applies a presence frame (`connectionCreated`, `connectionDestroyed`, `connectionStateChanged`) from
   * `node`. Returns whether it changed what clients were told: a member announced again (after a Redis
   * outage) or the departure of one never known is not news.
   */
  applyPresence(node: string, payload: string): boolean {
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      return false;
    }
    if (typeof message !== 'object' || message === null) {
      return false;
    }
    const m = message as Record<string, unknown>;
    if (m['type'] === 'connectionCreated') {
      const info = m['connection'] as ConnectionInfo | undefined;
      if (!info || typeof info.id !== 'string' || info.id.length > 64 || node === this.#self || this.#pending?.gone.has(info.id)) {
        return false;
      }
      const known = this.#members.has(info.id);
      this.#members.set(info.id, { node, info: { id: info.id, data: String(info.data ?? ''), creationTime: Number(info.creationTime) || 0, state: isConnectionState(info.state) ? info.state : 'active' } });
      return !known;
    }
    if (m['type'] === 'connectionDestroyed' && typeof m['connectionId'] === 'string') {
      this.#pending?.gone.add(m['connectionId']);
      return this.#members.delete(m['connectionId']);
    }
    if (m['type'] === 'connectionStateChanged' && typeof m['connectionId'] === 'string' && isConnectionState(m['state'])) {
      const record = this.#members.get(m['connectionId']);
      if (!record) {
        this.#pending?.states.set(m['connectionId'], m['state']);
        return false;
      }
      const changed = record.info.state !== m['state'];
      record.info = { ...record.info, state: m['state'] };
      return changed;
    }
    return false;
  }
}

/** Parses one field of a session's member hash; undefined for anything that is not a member record. */
export function parseMemberRecord(text: string): MemberRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<MemberRecord>;
    const info = value.info;
    if (typeof value.node !== 'string' || !info || typeof info.id !== 'string' || !isConnectionState(info.state)) {
      return undefined;
    }
    const record: MemberRecord = { node: value.node, info: { id: info.id, data: String(info.data ?? ''), creationTime: Number(info.creationTime) || 0, state: info.state } };
    const resume = value.resume;
    if (resume && isRole(resume.role) && typeof resume.tokenHash === 'string' && Array.isArray(resume.layout)) {
      const announced = resume.announced === 'background' || resume.announced === 'interrupted' ? resume.announced : 'active';
      record.resume = { role: resume.role, tokenHash: resume.tokenHash, announced, layout: resume.layout.filter((c) => typeof c === 'string'), media: resume.media === true };
    }
    if (value.orphan === true) {
      record.orphan = true;
    }
    return record;
  } catch {
    return undefined;
  }
}
