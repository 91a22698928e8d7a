/** An invite that has not expired or been cancelled. */
export interface Invite {
  id: string;
  sessionId: string;
  /** Who is invited. */
  identity: string;
  /** The inviter's connection (null: the app server, over REST). */
  from: string | null;
  fromIdentity?: string;
  data: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const MAX_INVITES = 50_000;

/**
 * Open invites. Expiry is lazy (checked on access): nothing is sent when an invite expires, since
 * the invitee's app knows `expiresAt` and stops ringing itself. Bounded by count, oldest first.
 */
export class InviteBook {
  readonly #invites = new Map<string, Invite>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** False when an open invite already has this id. */
  add(invite: Invite): boolean {
    if (this.get(invite.id)) {
      return false;
    }
    this.#invites.set(invite.id, invite);
    while (this.#invites.size > MAX_INVITES) {
      this.#invites.delete(this.#invites.keys().next().value as string);
    }
    return true;
  }

  get(id: string): Invite | undefined {
    const invite = this.#invites.get(id);
    if (invite && invite.expiresAt <= this.#now()) {
      this.#invites.delete(id);
      return undefined;
    }
    return invite;
  }

  /** Removes and returns an open invite. */
  take(id: string): Invite | undefined {
    const invite = this.get(id);
    this.#invites.delete(id);
    return invite;
  }
}
