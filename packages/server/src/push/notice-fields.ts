import { createHash } from 'node:crypto';
import type { AlertText, PushNotice } from './types.js';

/** Default alert texts; apps set their own (`push.alerts`), in the user's language. */
export const DEFAULT_ALERTS: Record<PushNotice['type'], AlertText> = {
  signal: { title: 'New message', body: 'Open the app to see it.' },
  invite: { title: 'Incoming call', body: 'Open the app to answer.' },
  inviteCancelled: { title: 'Missed call', body: 'The call has ended.' },
};

/**
 * The collapse id of a notice, used as `apns-collapse-id`, FCM `collapse_key` and Web Push `Topic`:
 * every signal push for one identity in one session shares one, so the device shows only the latest;
 * an invite and its cancellation share the invite's, so a device that was offline gets only the
 * cancellation where the provider collapses across them. At most 32 URL-safe characters (Web Push's limit).
 */
export function collapseKey(notice: PushNotice): string {
  if (notice.type === 'signal') {
    return `s${digest(`${notice.sessionId}\0${notice.identity}`, 31)}`;
  }
  return notice.inviteId.length <= 32 ? notice.inviteId : `i${digest(notice.inviteId, 31)}`;
}

function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, length);
}

/**
 * What the app reads from a push, as strings (FCM data values must be strings). Never the signal's
 * data: the app rejoins and receives the signal itself. `omitData` drops invite data that would not
 * fit the provider's payload limit (the app gets it when it joins).
 */
export function noticeFields(notice: PushNotice, omitData = false): Record<string, string> {
  switch (notice.type) {
    case 'invite': {
      const fields: Record<string, string> = {
        type: 'invite',
        sessionId: notice.sessionId,
        inviteId: notice.inviteId,
        from: notice.from ?? '',
        expiresAt: String(notice.expiresAt),
      };
      if (notice.fromIdentity !== undefined) {
        fields['fromIdentity'] = notice.fromIdentity;
      }
      if (omitData) {
        fields['dataOmitted'] = 'true';
      } else {
        fields['data'] = notice.data;
      }
      return fields;
    }
    case 'inviteCancelled':
      return { type: 'inviteCancelled', sessionId: notice.sessionId, inviteId: notice.inviteId };
    case 'signal':
      return { type: 'signal', sessionId: notice.sessionId, signalType: notice.signalType, from: notice.from ?? '' };
  }
}

/** Seconds the provider may keep trying to deliver: until the notice stops mattering. */
export function ttlSeconds(notice: PushNotice, nowMs: number): number {
  return Math.max(0, Math.floor((notice.expiresAt - nowMs) / 1000));
}
