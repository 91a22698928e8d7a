import type { StreamInfo } from '@vigil/protocol';

/** A stream published on another node, as stored in Redis and mirrored on every node serving the session. */
export interface StreamRecord {
  node: string;
  info: StreamInfo;
}

/**
 * What one node knows of a session's live streams published on other nodes: a snapshot (the session's
 * stream hash) plus the stream frames on its channel, with the same race rule as `remote-members.ts`
 * (frames that arrive before the snapshot win over it). Only relayed sessions spread their members, and
 * so their streams, over nodes; a routed session's streams all live on its media node.
 */
export class RemoteStreams {
  readonly #streams = new Map<string, StreamRecord>();
  /** Ends and property changes seen while the snapshot was on its way; dropped once it is applied. */
  #pending: { gone: Set<string>; changed: Map<string, Record<string, unknown>> } | undefined = { gone: new Set(), changed: new Map() };
  readonly #self: string;

  constructor(selfNode: string) {
    this.#self = selfNode;
  }

  get size(): number {
    return this.#streams.size;
  }

  get(id: string): StreamRecord | undefined {
    return this.#streams.get(id);
  }

  delete(id: string): boolean {
    return this.#streams.delete(id);
  }

  /** Streams of `connectionId` (a member that left without its node saying so: that node died). */
  ofPublisher(connectionId: string): StreamRecord[] {
    return [...this.#streams.values()].filter((record) => record.info.connectionId === connectionId);
  }

  /** Oldest first. `isMember` leaves out the streams of publishers that are gone (records a dead node left behind). */
  list(isMember: (connectionId: string) => boolean): StreamInfo[] {
    return [...this.#streams.values()]
      .filter((record) => isMember(record.info.connectionId))
      .map((record) => structuredClone(record.info))
      .sort((a, b) => a.creationTime - b.creationTime);
  }

  /** Applies the stream hash read after subscribing (after an outage it only adds). */
  applySnapshot(records: Iterable<StreamRecord>, isMember: (connectionId: string) => boolean): StreamRecord[] {
    const pending = this.#pending;
    this.#pending = undefined;
    const added: StreamRecord[] = [];
    for (const record of records) {
      const id = record.info.id;
      if (record.node === this.#self || this.#streams.has(id) || pending?.gone.has(id) || !isMember(record.info.connectionId)) {
        continue;
      }
      const fresh = { node: record.node, info: { ...record.info, ...pending?.changed.get(id) } as StreamInfo };
      this.#streams.set(id, fresh);
      added.push(fresh);
    }
    return added;
  }

  /**
   * Applies a stream frame (`streamCreated`, `streamDestroyed`, `streamPropertyChanged`) from `node`.
   * Returns whether clients should hear of it: a stream announced again after an outage, or the end of
   * one never known, is not news.
   */
  applyStreamEvent(node: string, payload: string): boolean {
    const m = parseObject(payload);
    if (!m || node === this.#self) {
      return false;
    }
    if (m['type'] === 'streamCreated') {
      const info = parseStreamInfo(m['stream']);
      if (!info || this.#pending?.gone.has(info.id)) {
        return false;
      }
      const known = this.#streams.has(info.id);
      this.#streams.set(info.id, { node, info });
      return !known;
    }
    if (m['type'] === 'streamDestroyed' && typeof m['streamId'] === 'string') {
      this.#pending?.gone.add(m['streamId']);
      return this.#streams.delete(m['streamId']);
    }
    if (m['type'] === 'streamPropertyChanged' && typeof m['streamId'] === 'string') {
      const id = m['streamId'];
      const property = m['changedProperty'];
      if (typeof property !== 'string' || !CHANGEABLE.has(property)) {
        return false;
      }
      const change = { [property]: structuredClone(m['newValue']) };
      if (this.#pending) {
        this.#pending.changed.set(id, { ...this.#pending.changed.get(id), ...change });
      }
      const record = this.#streams.get(id);
      if (!record) {
        return false;
      }
      record.info = { ...record.info, ...change } as StreamInfo;
      return true;
    }
    return false;
  }
}

const CHANGEABLE = new Set(['hasAudio', 'hasVideo', 'videoDimensions', 'layoutClassList']);

/** Parses one field of a session's stream hash; undefined for anything that is not a stream record. */
export function parseStreamRecord(text: string): StreamRecord | undefined {
  const value = parseObject(text);
  const info = parseStreamInfo(value?.['info']);
  return value && typeof value['node'] === 'string' && info ? { node: value['node'], info } : undefined;
}

function parseStreamInfo(value: unknown): StreamInfo | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const info = value as Partial<StreamInfo>;
  if (typeof info.id !== 'string' || info.id.length > 64 || typeof info.connectionId !== 'string' || typeof info.creationTime !== 'number') {
    return undefined;
  }
  return structuredClone(info as StreamInfo);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
