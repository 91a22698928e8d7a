import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ServerResponse } from 'node:http';
import { PushLimits, VigilError, utf8Length } from '@vigil/protocol';
import { checkIdentity, describeRegistration } from '../push/registration-input.js';
import type { ServerContext } from '../server-context.js';
import { checkSignal } from '../signal-relay.js';
import { readJsonBody } from './json-body.js';
import { authorizeProject, requireOwnSessionId } from './project-auth.js';
import { IdentitySignalBody, InviteBody, PushDocs, PushRegistrationBody } from './push-schemas.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

const checkRegistration = TypeCompiler.Compile(PushRegistrationBody);
const checkIdentitySignal = TypeCompiler.Compile(IdentitySignalBody);
const checkInvite = TypeCompiler.Compile(InviteBody);

/**
 * Push wake-up over REST, for app servers (docs/push.md): push registrations per identity, signals
 * to an identity, and call invites. Same `X-OPENTOK-AUTH` project credential as the OpenTok routes.
 */
export function addPushRoutes(router: Router, ctx: ServerContext): void {
  const base = '/v2/project/:apiKey';
  const registrations = `${base}/push/registrations`;

  router.add(
    'POST',
    registrations,
    async (req, res, params) => {
      const apiKey = authorizeProject(req, ctx, params);
      const body = await readJsonBody(req, checkRegistration, { limit: 16 * 1024 });
      sendJson(res, 200, describeRegistration(await ctx.push.register(apiKey, body)));
    },
    PushDocs.register,
  );

  router.add(
    'GET',
    registrations,
    async (req, res, params, url) => {
      const apiKey = authorizeProject(req, ctx, params);
      const items = (await ctx.push.store.list(apiKey, identityParam(url))).map(describeRegistration);
      sendJson(res, 200, { count: items.length, items });
    },
    PushDocs.list,
  );

  router.add(
    'DELETE',
    registrations,
    async (req, res, params, url) => {
      const apiKey = authorizeProject(req, ctx, params);
      for (const registration of await ctx.push.store.list(apiKey, identityParam(url))) {
        await ctx.push.store.remove(apiKey, registration.id);
      }
      noContent(res);
    },
    PushDocs.removeAll,
  );

  router.add(
    'DELETE',
    `${registrations}/:registrationId`,
    async (req, res, params) => {
      const apiKey = authorizeProject(req, ctx, params);
      if (!(await ctx.push.store.remove(apiKey, params['registrationId'] ?? ''))) {
        throw new VigilError('PUSH_REGISTRATION_NOT_FOUND');
      }
      noContent(res);
    },
    PushDocs.remove,
  );

  router.add(
    'POST',
    `${base}/session/:sessionId/identity/signal`,
    async (req, res, params) => {
      const sessionId = requireOwnSessionId(authorizeProject(req, ctx, params), params['sessionId']);
      const body = await readJsonBody(req, checkIdentitySignal, {
        refine: (value) => {
          const { type, data } = (value ?? {}) as { type?: unknown; data?: unknown };
          if (typeof data === 'string' && (type === undefined || typeof type === 'string')) {
            checkSignal({ signalType: type, data });
          }
        },
      });
      sendJson(res, 200, await ctx.push.signalIdentity(sessionId, null, body.identity, body.type ?? '', body.data));
    },
    PushDocs.signal,
  );

  router.add(
    'POST',
    `${base}/session/:sessionId/invite`,
    async (req, res, params) => {
      const sessionId = requireOwnSessionId(authorizeProject(req, ctx, params), params['sessionId']);
      const body = await readJsonBody(req, checkInvite, {
        // Too much data is its own error (413), not a generic schema failure.
        refine: (value) => {
          const data = (value as { data?: unknown } | null)?.data;
          if (typeof data === 'string' && utf8Length(data) > PushLimits.maxInviteDataBytes) {
            throw new VigilError('INVITE_DATA_TOO_LONG');
          }
        },
      });
      const { invite, report } = await ctx.push.invite(sessionId, null, body);
      sendJson(res, 200, { id: invite.id, sessionId, identity: invite.identity, expiresAt: invite.expiresAt, ...report });
    },
    PushDocs.invite,
  );

  router.add(
    'DELETE',
    `${base}/session/:sessionId/invite/:inviteId`,
    async (req, res, params) => {
      const sessionId = requireOwnSessionId(authorizeProject(req, ctx, params), params['sessionId']);
      await ctx.push.cancelInvite(sessionId, null, params['inviteId'] ?? '');
      noContent(res);
    },
    PushDocs.cancelInvite,
  );
}

function identityParam(url: URL): string {
  const identity = url.searchParams.get('identity');
  if (identity === null) {
    throw new VigilError('REQUEST_INVALID', 'Add ?identity=… to the URL.');
  }
  return checkIdentity(identity);
}

function noContent(res: ServerResponse): void {
  res.writeHead(204, { 'cache-control': 'no-store' });
  res.end();
}
