import { PushLimits, VigilError, parseSessionId, randomId, utf8Length, type DisconnectReason } from '@vigil/protocol';
import type { Clock } from '../clock.js';
import { encodeMessage, type Connection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { SessionRegistry } from '../session-registry.js';
import { checkSignal } from '../signal-relay.js';
import { AwayFrames } from './away-frames.js';
import type { HeldMessageStore } from './held-store.js';
import { IdentityIndex, identityFromConnectionData } from './identity.js';
import { InviteBook, type Invite } from './invite-book.js';
import { KeyedQueue } from './keyed-queue.js';
import type { PushOptions } from './push-options.js';
import { choosePushes, type PushSender } from './push-sender.js';
import type { PushRegistrationStore } from './registration-store.js';
import { checkIdentity, checkRegistration, type RegistrationInput } from './registration-input.js';
import type { PushNotice, PushRegistration } from './types.js';

/** Where a signal or invite went. `pushed` counts the pushes started (not yet answered by providers). */
export interface DeliveryReport {
  /** Live connections of the identity that got it now. */
  live: number;
  /** Connections that are away (suspended, reconnecting): it waits for their resume. */
  away: number;
  /** No connection in the session: it is held for the identity's next join. */
  held: boolean;
  pushed: number;
}

export interface PushServiceDeps {
  registry: SessionRegistry;
  clock: Clock;
  log: Logger;
  store: PushRegistrationStore;
  held: HeldMessageStore;
  sender: PushSender;
  options: PushOptions;
  webPushOrigins: readonly string[];
}

const MAX_THROTTLE_ENTRIES = 10_000;

/**
 * Push wake-up (lifecycle.md rule 8). Knows each connection's identity (from its token or its push
 * registration); delivers signals and invites addressed to an identity to its connections; when none
 * of them is live, pushes to the identity's devices, and when it has no connection in the session,
 * holds the message until it joins again. A connection that is live is never pushed.
 */
export class PushService {
  readonly identities = new IdentityIndex();
  readonly store: PushRegistrationStore;
  readonly held: HeldMessageStore;
  readonly sender: PushSender;
  readonly #deps: PushServiceDeps;
  readonly #invites: InviteBook;
  readonly #away = new AwayFrames();
  readonly #queue = new KeyedQueue();
  readonly #lastSignalPush = new Map<string, number>();
  readonly #holdTtlMs: number;

  constructor(deps: PushServiceDeps) {
    this.#deps = deps;
    this.store = deps.store;
    this.held = deps.held;
    this.sender = deps.sender;
    this.#invites = new InviteBook(() => deps.clock.now());
    this.#holdTtlMs = deps.options.hold?.ttlMs ?? 600_000;
  }

  /** A connection joined: a token that names an identity gives it that identity now. */
  joined(connection: Connection): void {
    const identity = identityFromConnectionData(connection.data);
    if (identity !== undefined) {
      this.identify(connection, identity);
    }
  }

  /** A connection left. If its grace ran out, what waited for it is held for the identity's next join. */
  left(connection: Connection, reason: DisconnectReason): void {
    const identity = this.identities.get(connection);
    this.identities.delete(connection);
    const undelivered = this.#away.takeUndelivered(connection);
    if (identity === undefined || (reason !== 'suspended' && reason !== 'networkDisconnected') || undelivered.length === 0) {
      return;
    }
    if (this.identities.connections(connection.sessionId, identity).length > 0) {
      return; // another connection of the identity got the same messages
    }
    const { sessionId } = connection;
    void this.#queue
      .run(queueKey(sessionId, identity), async () => {
        for (const frame of undelivered) {
          const message = { text: frame.bytes.toString('utf8'), expiresAt: frame.expiresAt };
          await this.held.hold(sessionId, identity, frame.key === undefined ? message : { ...message, key: frame.key });
        }
      })
      .catch((err: unknown) => this.#deps.log.error('push: holding failed', { error: String(err) }));
  }

  /** Gives a connection its identity and hands it what was held for that identity in the session. */
  identify(connection: Connection, identity: string): void {
    if (!this.identities.set(connection, identity)) {
      return;
    }
    const { sessionId } = connection;
    // Held frames must follow the welcome: the join runs synchronously up to it, and this waits a turn.
    void this.#queue
      .run(queueKey(sessionId, identity), async () => {
        await new Promise((resolve) => setImmediate(resolve));
        const { messages, dropped } = await this.held.take(sessionId, identity);
        if (connection.destroyedReason) {
          for (const message of messages) {
            await this.held.hold(sessionId, identity, message);
          }
          return;
        }
        for (const message of messages) {
          this.#deps.registry.sendTo(connection, Buffer.from(message.text));
        }
        if (dropped > 0) {
          this.#deps.registry.sendTo(connection, encodeMessage({ type: 'signalsDropped', count: dropped }));
        }
      })
      .catch((err: unknown) => this.#deps.log.error('push: delivering held messages failed', { error: String(err) }));
  }

  /**
   * Registers a device. From a client (`connection` given) the identity defaults to the token's and
   * must match it when the token names one; the connection takes the identity.
   */
  async register(apiKey: string, input: RegistrationInput, connection?: Connection): Promise<PushRegistration> {
    let identity = input.identity;
    if (connection) {
      const fromToken = identityFromConnectionData(connection.data);
      identity ??= fromToken ?? this.identities.get(connection);
      if (identity === undefined) {
        throw new VigilError('IDENTITY_REQUIRED');
      }
      if ((fromToken !== undefined && identity !== fromToken) || (fromToken === undefined && this.#deps.options.requireTokenIdentity === true)) {
        throw new VigilError('IDENTITY_MISMATCH', fromToken === undefined ? 'This server accepts only identities named by the client token.' : undefined);
      }
    }
    const registration = checkRegistration({ ...input, identity }, apiKey, this.#deps.clock.now(), {
      configured: (kind) => this.sender.configured(kind),
      webPushOrigins: this.#deps.webPushOrigins,
    });
    if (connection) {
      this.identify(connection, registration.identity);
    }
    await this.store.put(registration);
    this.#deps.log.info('push registered', { identity: registration.identity, kind: registration.kind });
    return registration;
  }

  /** A signal to every connection of `identity` in the session (`from` null: the app server). */
  signalIdentity(sessionId: string, from: Connection | null, identity: string, signalType: string, data: string): Promise<DeliveryReport> {
    checkIdentity(identity);
    checkSignal({ signalType, data });
    const bytes = encodeMessage({ type: 'signal', from: from?.id ?? null, signalType, data });
    const expiresAt = this.#deps.clock.now() + this.#holdTtlMs;
    const notice: PushNotice = { type: 'signal', sessionId, identity, signalType, from: from?.id ?? null, expiresAt };
    return this.#deliver(sessionId, identity, bytes, { notice, expiresAt, droppable: true, mustExist: true });
  }

  /** Hook: a signal was addressed to one connection (`to`) that is away. */
  signalWhileAway(connection: Connection, bytes: Buffer): void {
    const identity = this.identities.get(connection);
    if (identity === undefined) {
      return;
    }
    const expiresAt = this.#deps.clock.now() + this.#holdTtlMs;
    this.#away.track(connection, bytes, expiresAt);
    if (this.identities.connections(connection.sessionId, identity).some((c) => !c.away)) {
      return;
    }
    let signalType = '';
    let from: string | null = null;
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as { signalType?: string; from?: string | null };
      signalType = parsed.signalType ?? '';
      from = parsed.from ?? null;
    } catch {
      // Our own encoding; cannot fail.
    }
    void this.#pushSignal({ type: 'signal', sessionId: connection.sessionId, identity, signalType, from, expiresAt }).catch((err: unknown) =>
      this.#deps.log.error('push: signal push failed', { error: String(err) }),
    );
  }

  /** Invites an identity into the session. */
  async invite(sessionId: string, from: Connection | null, input: { inviteId?: string; identity: string; data?: string; ttlMs?: number }): Promise<{ invite: Invite; report: DeliveryReport }> {
    const identity = checkIdentity(input.identity);
    const data = input.data ?? '';
    if (utf8Length(data) > PushLimits.maxInviteDataBytes) {
      throw new VigilError('INVITE_DATA_TOO_LONG');
    }
    const ttlMs = input.ttlMs ?? this.#deps.options.inviteTtlMs ?? PushLimits.defaultInviteTtlMs;
    if (!Number.isInteger(ttlMs) || ttlMs < PushLimits.minInviteTtlMs || ttlMs > PushLimits.maxInviteTtlMs) {
      throw new VigilError('REQUEST_INVALID', `ttlMs must be ${PushLimits.minInviteTtlMs}-${PushLimits.maxInviteTtlMs}.`);
    }
    const invite: Invite = { id: input.inviteId ?? randomId(22), sessionId, identity, from: from?.id ?? null, data, expiresAt: this.#deps.clock.now() + ttlMs };
    const fromIdentity = from ? this.identities.get(from) : undefined;
    if (fromIdentity !== undefined) {
      invite.fromIdentity = fromIdentity;
    }
    if (!this.#invites.add(invite)) {
      throw new VigilError('INVITE_ID_IN_USE');
    }
    const message = { type: 'invite' as const, inviteId: invite.id, sessionId, from: invite.from, data, expiresAt: invite.expiresAt };
    const bytes = encodeMessage(fromIdentity === undefined ? message : { ...message, fromIdentity });
    const notice: PushNotice = fromIdentity === undefined ? { ...message, type: 'invite' } : { ...message, type: 'invite', fromIdentity };
    try {
      const report = await this.#deliver(sessionId, identity, bytes, { notice, expiresAt: invite.expiresAt, key: invite.id, droppable: false, mustExist: true });
      this.#deps.log.info('invite()', { session: sessionId, invite: invite.id, ...report });
      return { invite, report };
    } catch (err) {
      this.#invites.take(invite.id);
      throw err;
    }
  }

  /** Withdraws an invite: over the invitee's live connection, else a normal push; never a VoIP push. */
  async cancelInvite(sessionId: string, by: Connection | null, inviteId: string): Promise<DeliveryReport> {
    const invite = this.#invites.get(inviteId);
    if (!invite || invite.sessionId !== sessionId) {
      throw new VigilError('INVITE_NOT_FOUND');
    }
    if (by && invite.from !== by.id && !by.canModerate && (invite.fromIdentity === undefined || this.identities.get(by) !== invite.fromIdentity)) {
      throw new VigilError('NOT_PERMITTED', 'Only the inviter or a moderator can cancel an invite.');
    }
    this.#invites.take(inviteId);
    const expiresAt = this.#deps.clock.now() + this.#holdTtlMs;
    const bytes = encodeMessage({ type: 'inviteCancelled', inviteId, sessionId });
    const notice: PushNotice = { type: 'inviteCancelled', sessionId, inviteId, expiresAt };
    return this.#deliver(sessionId, invite.identity, bytes, { notice, expiresAt, key: inviteId, droppable: false, mustExist: false });
  }

  async close(): Promise<void> {
    await this.sender.close();
  }

  async #deliver(
    sessionId: string,
    identity: string,
    bytes: Buffer,
    options: { notice: PushNotice; expiresAt: number; key?: string; droppable: boolean; mustExist: boolean },
  ): Promise<DeliveryReport> {
    const apiKey = parseSessionId(sessionId)?.apiKey ?? '';
    return this.#queue.run(queueKey(sessionId, identity), async () => {
      const connections = this.identities.connections(sessionId, identity);
      const report: DeliveryReport = { live: 0, away: 0, held: false, pushed: 0 };
      for (const connection of connections) {
        this.#deps.registry.sendTo(connection, bytes, options.droppable);
        if (connection.away) {
          report.away += 1;
          this.#away.track(connection, bytes, options.expiresAt, options.key);
        } else {
          report.live += 1;
        }
      }
      if (report.live > 0) {
        return report;
      }
      const registrations = await this.store.list(apiKey, identity);
      if (connections.length === 0) {
        if (registrations.length === 0 && options.mustExist) {
          throw new VigilError('IDENTITY_NOT_FOUND');
        }
        const held = { text: bytes.toString('utf8'), expiresAt: options.expiresAt };
        await this.held.hold(sessionId, identity, options.key === undefined ? held : { ...held, key: options.key });
        report.held = true;
      }
      report.pushed = options.notice.type === 'signal' ? this.#throttledSignalPush(options.notice, registrations) : this.#push(options.notice, registrations);
      return report;
    });
  }

  async #pushSignal(notice: Extract<PushNotice, { type: 'signal' }>): Promise<void> {
    const registrations = await this.store.list(parseSessionId(notice.sessionId)?.apiKey ?? '', notice.identity);
    this.#throttledSignalPush(notice, registrations);
  }

  /** Signal pushes: at most one per identity and session per interval; collapse ids replace the rest. */
  #throttledSignalPush(notice: Extract<PushNotice, { type: 'signal' }>, registrations: PushRegistration[]): number {
    const throttleKey = queueKey(notice.sessionId, notice.identity);
    const now = this.#deps.clock.now();
    const last = this.#lastSignalPush.get(throttleKey);
    if (registrations.length === 0 || (last !== undefined && now - last < (this.#deps.options.signalPushIntervalMs ?? 5_000))) {
      return 0;
    }
    this.#lastSignalPush.delete(throttleKey);
    this.#lastSignalPush.set(throttleKey, now);
    if (this.#lastSignalPush.size > MAX_THROTTLE_ENTRIES) {
      this.#lastSignalPush.delete(this.#lastSignalPush.keys().next().value as string);
    }
    return this.#push(notice, registrations);
  }

  #push(notice: PushNotice, registrations: PushRegistration[]): number {
    return this.sender.send(notice, choosePushes(notice, registrations, this.#deps.options.signalPush ?? 'alert'));
  }
}

function queueKey(sessionId: string, identity: string): string {
  return `${sessionId}\0${identity}`;
}
