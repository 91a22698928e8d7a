import { createHash } from 'node:crypto';
import { VigilError, isDisconnectReason, randomId, type ConnectionInfo, type DisconnectReason, type StreamInfo } from '@vigil/protocol';
import { encodeMessage } from '../connection.js';
import { secretsEqual } from '../secret-compare.js';
import type { Logger } from '../logger.js';
import { decodeBusFrame, encodeBusFrame, type BusFrame } from './bus-frame.js';
import type { ClusterLink, ClusterStats, LocalMember } from './cluster-link.js';
import { restampFrame, stampFrame } from './frame-stamp.js';
import { MediaHomes } from './media-homes.js';
import { NodeLease, frameHead } from './node-lease.js';
import { LinkProbe } from './link-probe.js';
import { CATCH_UP_FRAMES, missedEnds } from './missed-departures.js';
import { OutageBacklog } from './outage-backlog.js';
import { RemoteMembers, type MemberRecord } from './remote-members.js';
import { RemoteStreams, type StreamRecord } from './remote-streams.js';
import type { FrameOrigin, LogEntry, SessionStore } from './session-store.js';

export interface ClusterNodeOptions {
  /** How long a node's lease lasts without renewal; past it, survivors orphan its members. Default 10 s. */
  leaseMs?: number;
  /** How long survivors keep a dead node's members for their clients to resume elsewhere (the server's graces). */
  graceMs?: { network: number; suspend: number };
  log: Logger;
}

const DEFAULT_LEASE_MS = 10_000;
const DEFAULT_GRACE_MS = { network: 60_000, suspend: 180_000 };

interface HeldSession {
  holds: number;
  members: RemoteMembers;
  streams: RemoteStreams;
  /** Resolves once subscribed and the snapshot is applied; every `hold` waits for it. */
  ready: Promise<void>;
}

/**
 * One node of a multi-node deployment, on the session state its nodes share (`SessionStore`: Redis, or
 * memory for nodes in one process): one published frame per change on the session's channel (each
 * node writes it to its own members), member records for joiners' welcomes, and a node lease so that
 * a dead node's members are taken over or ended by a survivor. See `docs/scale-out.md` for what is
 * refused while the store is unreachable.
 */
export class ClusterNode implements ClusterLink {
  readonly nodeId: string;
  onFrame: (sessionId: string, frame: BusFrame, news: boolean) => void = () => {};
  /** Called after the store came back: the member lists may have changed while it was away. */
  onResync: (sessionId: string, before: Map<string, ConnectionInfo>, newStreams: StreamInfo[]) => void = () => {};
  /** The node's own members, re-asserted after a Redis restart (its memory may be empty). */
  localMembers: () => Iterable<{ sessionId: string; member: LocalMember }> = () => [];
  /** A member of this node that another node took over while this one was taken for dead. */
  onTakenOver: (sessionId: string, connectionId: string, node: string) => void = () => {};
  /** A member of this node that survivors ended while this one was taken for dead (peers were told). */
  onGone: (sessionId: string, connectionId: string, reason: DisconnectReason) => void = () => {};
  /** The node's own live streams, re-asserted with its members. */
  localStreams: () => Iterable<{ sessionId: string; info: StreamInfo }> = () => [];
  readonly store: SessionStore;
  readonly #log: Logger;
  readonly #sessions = new Map<string, HeldSession>();
  readonly #lease: NodeLease;
  #wasDown = false;
  readonly #backlog: OutageBacklog;
  readonly #probe: LinkProbe;
  #framesLost = 0;
  /** Frames `#send` could not share: since start, and in the current outage (reported when it ends). */
  readonly #unpublished = { total: 0, thisOutage: 0 };
  #caughtUp = 0;
  #resyncing = false;
  #resyncAgain = false;
  readonly #homes: MediaHomes;
  /** This node's running count, stamped on every frame it shares. */
  #stamps = 0;
  #closed = false;

  private constructor(store: SessionStore, options: ClusterNodeOptions, nodeId: string) {
    this.nodeId = nodeId;
    this.store = store;
    this.#log = options.log;
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#homes = new MediaHomes({ store, nodeId: this.nodeId, run: (command) => this.#command(command), alive: (node) => this.nodeAlive(node) });
    this.#lease = new NodeLease({
      store,
      nodeId: this.nodeId,
      leaseMs,
      graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
      log: options.log,
      onLost: () => {
        this.#wasDown = true;
        this.#up('lease');
      },
      onRenewal: (err) => (err ? this.#down('lease', err) : this.#up('lease')),
    });
    this.#backlog = new OutageBacklog({
      store,
      log: options.log,
      peers: (sessionId) => this.members(sessionId).nodes().size,
      listening: (sessionId) => this.#sessions.has(sessionId),
    });
    const probeMs = Math.min(1_000, Math.max(100, Math.floor(leaseMs / 3)));
    this.#probe = new LinkProbe({
      store,
      nodeId,
      intervalMs: probeMs,
      timeoutMs: Math.max(5_000, 3 * probeMs), // lenient: a busy event loop delays probes too
      onLost: () => {
        this.#framesLost += 1;
        this.#down('probe', new Error('frames published for this node stopped arriving'));
      },
      onBack: () => this.#up('probe'),
      onGap: () => {
        this.#framesLost += 1;
        this.#log.warn('cluster: frames published for this node were lost for a moment; catching up');
        this.#wasDown = true;
        this.#up('probe');
      },
    });
    store.onMessage = (sessionId, message) => (sessionId === this.#probe.channel ? this.#probe.heard(message) : this.#received(sessionId, message));
    store.onDown = (link, err) => this.#down(link, err);
    store.onUp = (link) => this.#up(link);
  }

  /**
   * Starts a node on `store` (connected already, or connected here) and its lease; throws if the store
   * does not answer. `nodeId` names it in the store; a fresh random id by default.
   */
  static async start(store: SessionStore, options: ClusterNodeOptions & { nodeId?: string }): Promise<ClusterNode> {
    const node = new ClusterNode(store, options, options.nodeId ?? randomId(12));
    try {
      await store.connect();
      await node.#lease.start();
      await node.#probe.start();
    } catch (err) {
      node.#lease.stopTimer();
      node.#probe.stop();
      await store.close().catch(() => {});
      throw err;
    }
    options.log.info('cluster: joined', { node: node.nodeId });
    return node;
  }

  /** How long a session's log must be kept: past the longest grace of a member orphaned at its node's lease expiry. */
  static logTtlMs(options: Pick<ClusterNodeOptions, 'graceMs' | 'leaseMs'>): number {
    const grace = options.graceMs ?? DEFAULT_GRACE_MS;
    return Math.max(grace.network, grace.suspend) + (options.leaseMs ?? DEFAULT_LEASE_MS) + 60_000;
  }

  /** The store answers, so did it at the last lease renewal, and this node hears what is published. */
  get healthy(): boolean {
    return this.store.healthy && !this.#lease.failing && !this.#probe.lost;
  }

  readonly #handoffs = { in: 0, out: 0 };

  countHandoff(direction: 'in' | 'out'): void {
    this.#handoffs[direction] += 1;
  }

  stats(): ClusterStats {
    return { redisLatencyMs: this.#lease.latencyMs, orphaned: this.#lease.orphaned, reaped: this.#lease.reaped, handoffsIn: this.#handoffs.in, handoffsOut: this.#handoffs.out, framesLost: this.#framesLost, framesUnpublished: this.#unpublished.total, departuresCaughtUp: this.#caughtUp };
  }

  async hold(sessionId: string): Promise<void> {
    let held = this.#sessions.get(sessionId);
    if (!held) {
      const members = new RemoteMembers(this.nodeId);
      const streams = new RemoteStreams(this.nodeId);
      const fresh: HeldSession = { holds: 0, members, streams, ready: this.#open(sessionId, members, streams) };
      this.#sessions.set(sessionId, fresh);
      // A failed open is forgotten once nobody waits on it, so the next joiner tries again.
      fresh.ready.catch(() => {
        if (this.#sessions.get(sessionId) === fresh && fresh.holds === 0) {
          this.#sessions.delete(sessionId);
        }
      });
      held = fresh;
    }
    held.holds += 1;
    try {
      await held.ready;
    } catch (err) {
      this.release(sessionId);
      throw err;
    }
  }

  release(sessionId: string): void {
    const held = this.#sessions.get(sessionId);
    if (!held) {
      return;
    }
    held.holds -= 1;
    if (held.holds > 0) {
      return;
    }
    this.#sessions.delete(sessionId);
    this.#homes.giveUp(sessionId);
    this.store.unsubscribe(sessionId).catch(() => {});
    this.store.leaveSession(this.nodeId, sessionId).catch(() => {});
  }

  members(sessionId: string): RemoteMembers {
    return this.#sessions.get(sessionId)?.members ?? new RemoteMembers(this.nodeId);
  }

  streams(sessionId: string): RemoteStreams {
    return this.#sessions.get(sessionId)?.streams ?? new RemoteStreams(this.nodeId);
  }

  streamChanged(sessionId: string, stream: StreamInfo | string, bytes: Buffer): void {
    const frame = this.#streamFrame(bytes);
    if (typeof stream !== 'string') {
      this.#send(this.store.putStream(sessionId, { node: this.nodeId, info: stream }, frame), 'streamChanged');
      return;
    }
    this.#backlog.send(
      sessionId,
      (late) => this.store.removeStream(sessionId, stream, late ? this.#restamped(frame) : frame),
      'end of stream',
      { session: sessionId, stream },
    );
  }

  relay(sessionId: string, to: string, payload: string): void {
    // Kept if Redis is away, so neither side is left holding half a subscription.
    const frame = encodeBusFrame({ kind: 'relay', node: this.nodeId, to, payload });
    this.#backlog.send(sessionId, () => this.store.publish(sessionId, frame), 'relay request', { session: sessionId, to });
  }

  forgetStreams(sessionId: string, streamIds: string[]): void {
    if (streamIds.length > 0) {
      this.#send(this.store.forgetStreams(sessionId, streamIds), 'forgetStreams');
    }
  }

  stamp(bytes: Buffer): Buffer {
    this.#stamps += 1;
    return stampFrame(bytes, this.nodeId, this.#stamps);
  }

  memberJoined(sessionId: string, member: LocalMember, bytes: Buffer): void {
    this.#send(this.store.addMember(sessionId, this.#record(member), this.#memberFrame(bytes)), 'memberJoined');
  }

  memberChanged(sessionId: string, member: LocalMember, bytes: Buffer): void {
    this.#memberWrite(sessionId, member.info.id, this.#record(member), this.#memberFrame(bytes), 'memberChanged').catch(() => {});
  }

  memberUpdated(sessionId: string, member: LocalMember): void {
    this.#memberWrite(sessionId, member.info.id, this.#record(member), '', 'memberUpdated').catch(() => {});
  }

  memberMoved(sessionId: string, member: LocalMember): void {
    // Handed over by its holder, or claimed from a dead one (the record already names this node).
    this.#send(this.store.putMember(sessionId, this.#record(member)), 'memberMoved');
  }

  memberLeft(sessionId: string, connectionId: string, bytes: Buffer): void {
    const frame = this.#memberFrame(bytes);
    this.#backlog.send(
      sessionId,
      (late) => this.#memberWrite(sessionId, connectionId, undefined, late ? this.#restamped(frame) : frame, 'memberLeft'),
      'departure',
      { session: sessionId, connection: connectionId },
    );
  }

  /**
   * A member record write that yields to a takeover: if another node holds the member now (this one
   * stalled past its lease), or survivors ended it, this node lets it go instead.
   */
  async #memberWrite(sessionId: string, connectionId: string, record: MemberRecord | undefined, frame: string, what: string): Promise<void> {
    let holder: string;
    try {
      holder = await this.store.writeMember(sessionId, connectionId, this.nodeId, record, frame);
    } catch (err) {
      this.#log.warn('cluster: publish failed', { what, error: (err as Error).message });
      throw err;
    }
    this.#yield(sessionId, connectionId, holder);
  }

  /** What a compare-and-set on a member's record answered: '' (still ours), `!<reason>` (ended), or its holder. */
  #yield(sessionId: string, connectionId: string, answer: string): void {
    if (answer.startsWith('!')) {
      const reason = answer.slice(1);
      this.onGone(sessionId, connectionId, isDisconnectReason(reason) ? reason : 'networkDisconnected');
    } else if (answer !== '') {
      this.onTakenOver(sessionId, connectionId, answer);
    }
  }

  #restamped(frame: string): string {
    const newline = frame.indexOf('\n');
    return `${frame.slice(0, newline + 1)}${restampFrame(frame.slice(newline + 1), (bytes) => this.stamp(bytes))}`;
  }

  broadcast(sessionId: string, bytes: Buffer, except: string | undefined, droppable: boolean, origin?: FrameOrigin): void {
    const frame = encodeBusFrame({ kind: 'broadcast', node: this.nodeId, except: except ?? '', droppable, member: false, payload: bytes.toString() });
    this.#send(this.store.appendFrame(sessionId, frame, origin ? { origin } : {}), 'broadcast');
  }

  direct(sessionId: string, to: string, bytes: Buffer, droppable: boolean, origin?: FrameOrigin, publish = true): void {
    const frame = encodeBusFrame({ kind: 'direct', node: this.nodeId, to, droppable, payload: bytes.toString() });
    this.#send(this.store.appendFrame(sessionId, frame, origin ? { origin, publish } : { publish }), 'direct');
  }

  kick(sessionId: string, to: string, reason: DisconnectReason): void {
    this.#send(this.store.appendFrame(sessionId, encodeBusFrame({ kind: 'kick', node: this.nodeId, to, reason })), 'kick');
  }

  async loadMembers(sessionId: string): Promise<Map<string, MemberRecord>> {
    const records = await this.#command(() => this.store.members(sessionId));
    return new Map(records.map((record) => [record.info.id, record]));
  }

  homeOf(sessionId: string): Promise<{ node: string; url: string } | undefined> {
    return this.#homes.homeOf(sessionId);
  }

  claimHome(sessionId: string, url: string): Promise<{ node: string; url: string }> {
    return this.#homes.claimHome(sessionId, url);
  }

  async liveStreams(sessionId: string): Promise<StreamInfo[] | undefined> {
    const { members, streams } = await this.#snapshot(sessionId);
    if (members.size === 0) {
      return undefined;
    }
    return streams
      .filter((record) => members.has(record.info.connectionId))
      .map((record) => record.info)
      .sort((a, b) => a.creationTime - b.creationTime);
  }

  async nodeAlive(node: string): Promise<boolean> {
    const expiry = await this.#command(() => this.store.leaseOf(node));
    return expiry !== undefined && expiry > Date.now();
  }

  history(sessionId: string, connectionId: string): Promise<{ record: MemberRecord; entries: LogEntry[] } | undefined> {
    return this.#command(() => this.store.history(sessionId, connectionId));
  }

  async releaseOrphan(sessionId: string, connectionId: string, resumeToken: string): Promise<boolean> {
    const read = () => this.#command(() => this.store.member(sessionId, connectionId));
    let record = await read();
    if (record && !record.orphan && record.node !== this.nodeId && !(await this.nodeAlive(record.node))) {
      await this.#lease.reap(); // its node is dead but nobody has orphaned its members yet
      record = await read();
    }
    if (!record?.orphan || !record.resume || !secretsEqual(record.resume.tokenHash, createHash('sha256').update(resumeToken).digest('hex'))) {
      return false;
    }
    const payload = encodeMessage({ type: 'connectionDestroyed', connectionId, reason: 'networkDisconnected' }).toString();
    return this.#command(() => this.store.endOrphan(sessionId, connectionId, record.node, 'networkDisconnected', frameHead(record.node), payload));
  }

  async claimMember(sessionId: string, from: string, member: LocalMember): Promise<boolean> {
    return this.#command(() => this.store.claimMember(sessionId, from, this.#record(member)));
  }

  async publishTo(sessionId: string, frame: BusFrame): Promise<void> {
    if (frame.kind === 'broadcast' || frame.kind === 'direct') {
      // What members get is stamped and logged like any frame this node shares.
      const stamped = { ...frame, payload: this.stamp(Buffer.from(frame.payload)).toString() };
      await this.#command(() => this.store.appendFrame(sessionId, encodeBusFrame(stamped)));
    } else if (frame.kind === 'kick') {
      await this.#command(() => this.store.appendFrame(sessionId, encodeBusFrame(frame)));
    } else {
      await this.#command(() => this.store.publish(sessionId, encodeBusFrame(frame)));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#homes.giveUpAll();
    this.#backlog.stop();
    this.#probe.stop();
    await this.#lease.stop();
    await this.store.close();
  }

  async #open(sessionId: string, members: RemoteMembers, streams: RemoteStreams): Promise<void> {
    // Subscribe first, then read the members: nothing published in between is missed.
    await this.#command(() => this.store.subscribe(sessionId));
    const snapshot = await this.#snapshot(sessionId);
    members.applySnapshot(snapshot.members.values());
    streams.applySnapshot(snapshot.streams, (id) => members.has(id));
  }

  /** The session's member and stream records, read at once. */
  async #snapshot(sessionId: string): Promise<{ members: Map<string, MemberRecord>; streams: StreamRecord[] }> {
    const [members, streams] = await Promise.all([this.loadMembers(sessionId), this.#command(() => this.store.streams(sessionId))]);
    return { members, streams };
  }

  #record(member: LocalMember): MemberRecord {
    return { node: this.nodeId, info: member.info, resume: member.resume };
  }

  #memberFrame(bytes: Buffer): string {
    return encodeBusFrame({ kind: 'broadcast', node: this.nodeId, except: '', droppable: false, member: true, payload: bytes.toString() });
  }

  #streamFrame(bytes: Buffer): string {
    return encodeBusFrame({ kind: 'broadcast', node: this.nodeId, except: '', droppable: false, member: false, stream: true, payload: bytes.toString() });
  }

  /**
   * A frame other nodes should hear, not kept if it fails (signals, joins, state changes: the resync
   * re-asserts members and streams, but a signal is lost for the other nodes' members). Counted; during
   * an outage logged once, and summed up when it ends, rather than once per frame.
   */
  #send(pending: Promise<unknown>, what: string): void {
    pending.catch((err: Error) => {
      this.#unpublished.total += 1;
      if (!this.#wasDown) {
        this.#log.warn('cluster: publish failed', { what, error: err.message }); // not an outage (yet): each one says why
        return;
      }
      this.#unpublished.thisOutage += 1;
      if (this.#unpublished.thisOutage === 1) {
        this.#log.warn('cluster: frames for other nodes are being lost until the store is back', { what, error: err.message });
      }
    });
  }

  async #command<T>(run: () => Promise<T>): Promise<T> {
    if (!this.healthy) {
      throw new VigilError('STORE_UNAVAILABLE');
    }
    try {
      return await run();
    } catch (err) {
      this.#log.warn('cluster: store command failed', { error: (err as Error).message });
      throw new VigilError('STORE_UNAVAILABLE');
    }
  }

  #received(sessionId: string, message: string): void {
    // Inside the store's reply parser (ioredis): nothing may escape from here.
    try {
      const held = this.#sessions.get(sessionId);
      const frame = decodeBusFrame(message);
      // Our own handoff requests come back on purpose: they mark where capturing starts.
      if (!held || !frame || (frame.node === this.nodeId && frame.kind !== 'handoff')) {
        return;
      }
      // Applied here, not by the registry: frames that arrive while the member snapshot is still on its
      // way (no local session yet) must reach the view too, or the snapshot would undo them.
      let news = true;
      if (frame.kind === 'broadcast' && frame.member) {
        news = held.members.applyPresence(frame.node, frame.payload);
      } else if (frame.kind === 'broadcast' && frame.stream) {
        news = held.streams.applyStreamEvent(frame.node, frame.payload);
      }
      this.onFrame(sessionId, frame, news);
    } catch (err) {
      this.#log.error('cluster: frame handling failed', { session: sessionId, error: String(err) });
    }
  }

  #down(link: string, err?: Error): void {
    if (this.#closed) {
      return;
    }
    if (!this.#wasDown) {
      if (err) {
        this.#log.error('cluster: store unreachable; local connections stay up, cross-node delivery paused', { link, error: err.message });
      }
      this.#unpublished.thisOutage = 0;
    }
    this.#wasDown = true;
  }

  #up(link: string): void {
    if (!this.#wasDown || !this.healthy || this.#closed) {
      return;
    }
    if (this.#resyncing) {
      this.#resyncAgain = true; // one at a time: two would send what waited twice
      return;
    }
    this.#wasDown = false;
    this.#resyncing = true;
    this.#log.info('cluster: store back; resynchronising members', { link });
    if (this.#unpublished.thisOutage > 0) {
      this.#log.warn('cluster: frames lost for other nodes during the outage (signals among them never reached their members)', { frames: this.#unpublished.thisOutage });
      this.#unpublished.thisOutage = 0;
    }
    void this.#resync()
      .catch((err: Error) => {
        this.#log.warn('cluster: resync failed; trying again in 1 s', { error: err.message });
        this.#wasDown = true;
        setTimeout(() => this.#up('retry'), 1_000).unref();
      })
      .finally(() => {
        this.#resyncing = false;
        if (this.#resyncAgain) {
          this.#resyncAgain = false;
          this.#up(link);
        }
      });
  }

  /** After an outage: re-assert this node's members and lease, and re-read every held session. */
  async #resync(): Promise<void> {
    // Survivors may have taken this node for dead while it could not renew its lease: asserting the
    // members again is harmless (nodes drop presence they already know) and undoes a wrong "reconnecting" —
    // except for members whose clients resumed on another node meanwhile, which are let go.
    const lost: { sessionId: string; connectionId: string; node: string }[] = [];
    await Promise.all(
      [...this.localMembers()].map(async ({ sessionId, member }) => {
        const { info } = member;
        const holder = await this.store.reassertMember(sessionId, this.#record(member));
        if (holder !== '') {
          lost.push({ sessionId, connectionId: info.id, node: holder }); // resumed elsewhere, or ended, while we were taken for dead
          return;
        }
        // Issued at once, in stamp order with this node's other frames (a batch sent later would not be).
        const created = this.#memberFrame(encodeMessage({ type: 'connectionCreated', connection: info }));
        this.#send(this.store.publish(sessionId, created), 'resync');
        // Nodes that knew the member drop the creation as old news; a state change made during the
        // outage (or the survivors' "reconnecting" while this node was taken for dead) is undone this way.
        // Stamped and logged (unlike the creation, which nobody who knew the member delivers): a client
        // taken over later must not keep the "reconnecting" the survivors logged.
        const state = this.stamp(encodeMessage({ type: 'connectionStateChanged', connectionId: info.id, state: info.state, reason: 'resynchronised' }));
        this.#send(this.store.appendFrame(sessionId, this.#memberFrame(state)), 'resync');
      }),
    );
    for (const { sessionId, connectionId, node } of lost) {
      this.#yield(sessionId, connectionId, node);
    }
    const streams = [...this.localStreams()].flatMap(({ sessionId, info }) => [
      this.store.putStream(sessionId, { node: this.nodeId, info }),
      this.store.publish(sessionId, this.#streamFrame(encodeMessage({ type: 'streamCreated', stream: info }))),
    ]);
    await Promise.all(streams);
    await this.#lease.renew();
    await this.#backlog.flush();
    // The snapshot only adds: a node that has not re-asserted its members yet must not be mistaken for
    // gone. Departures come as frames (kept by their node while the store was away), or from the log.
    for (const [sessionId, held] of this.#sessions) {
      const before = new Map(held.members.list().map((info) => [info.id, info]));
      const snapshot = await this.#snapshot(sessionId);
      held.members.applySnapshot(snapshot.members.values());
      const added = held.streams.applySnapshot(snapshot.streams, (id) => held.members.has(id));
      this.onResync(sessionId, before, added.map((record) => record.info));
      await this.#catchUpDepartures(sessionId, held, new Set(snapshot.members.keys()), new Set(snapshot.streams.map((record) => record.info.id)));
    }
  }

  /**
   * Departures this node may have missed while it was not listening (`missed-departures.ts`): their
   * logged ends are delivered now, once.
   */
  async #catchUpDepartures(sessionId: string, held: HeldSession, members: Set<string>, streams: Set<string>): Promise<void> {
    const gone = {
      members: new Set(held.members.list().map((info) => info.id).filter((id) => !members.has(id))),
      streams: new Set(held.streams.list(() => true).map((info) => info.id).filter((id) => !streams.has(id))),
    };
    if (gone.members.size === 0 && gone.streams.size === 0) {
      return;
    }
    for (const { frame, ended } of missedEnds(await this.#command(() => this.store.recentFrames(sessionId, CATCH_UP_FRAMES)), gone)) {
      this.#caughtUp += 1;
      this.#log.info('cluster: delivering a departure missed while not listening', { session: sessionId, ended });
      this.#received(sessionId, frame);
    }
  }
}
