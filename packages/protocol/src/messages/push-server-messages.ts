// Server → client messages for invites (push wake-up). Built by the server, so described by types only.

/** You are invited into `sessionId` (you may already be in it). */
export interface InviteMessage {
  type: 'invite';
  inviteId: string;
  sessionId: string;
  /** The inviter's connection id; `null` when the app server invited over REST. */
  from: string | null;
  /** The inviter's identity, when it has one. */
  fromIdentity?: string;
  data: string;
  /** Milliseconds since the epoch; stop ringing then (the server sends no notice at expiry). */
  expiresAt: number;
}

/** An invite you received was withdrawn by the inviter. */
export interface InviteCancelledMessage {
  type: 'inviteCancelled';
  inviteId: string;
  sessionId: string;
}

export type PushServerMessage = InviteMessage | InviteCancelledMessage;
