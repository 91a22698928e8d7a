import { ID_PATTERN, VigilError, createSessionId, parseSessionId, type MediaMode } from '@vigil/protocol';
import { verifyClientToken } from '../client-token.js';
import { verifyProjectJwt } from '../rest-auth.js';
import { findResumable } from '../ws/upgrade.js';
import type { ServerContext } from '../server-context.js';
import { parseBody, readBody, sendJson } from './respond.js';
import type { Router } from './router.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Session creation (`POST /session/create`, the OpenTok SDK's `createSession`) and Vigil's public
 * helpers: the connect pre-check clients use to learn why an upgrade was refused, and server info.
 */
export function addSessionRoutes(router: Router, ctx: ServerContext): void {
  router.add('POST', '/session/create', async (req, res) => {
    const apiKey = verifyProjectJwt(header(req.headers['x-opentok-auth']), ctx.projects, ctx.nowSeconds());
    const body = parseBody(await readBody(req), req.headers['content-type']);
    const mediaMode = readMediaMode(body);
    const location = body['location'] ?? '';
    if (typeof location !== 'string' || (location !== '' && !IPV4.test(location))) {
      throw new VigilError('REQUEST_INVALID', 'location must be an IPv4 address.');
    }
    const archiveMode = body['archiveMode'] ?? 'manual';
    if (archiveMode !== 'manual' && archiveMode !== 'always') {
      throw new VigilError('REQUEST_INVALID', 'archiveMode must be "manual" or "always".');
    }
    const nowMs = ctx.clock.now();
    const sessionId = createSessionId({ apiKey, mediaMode, location, nowMs });
    ctx.log.info('createSession()', { session: sessionId, mediaMode });
    sendJson(res, 200, [
      {
        session_id: sessionId,
        project_id: apiKey,
        partner_id: apiKey,
        create_dt: new Date(nowMs).toUTCString(),
        media_server_url: '',
        media_mode: mediaMode,
      },
    ]);
  });

  // Browsers cannot read the HTTP status of a refused WebSocket upgrade; the client asks here instead.
  router.add('POST', '/v1/connect-check', async (req, res) => {
    const body = parseBody(await readBody(req, 16 * 1024), 'application/json');
    const { sessionId, token, resume, resumeToken, rx } = body;
    if (typeof sessionId === 'string' && typeof resume === 'string') {
      if (ctx.cluster && !ctx.registry.get(sessionId)?.connections.has(resume)) {
        // Held elsewhere, maybe: only its holder can check the token, so a live record is enough here,
        // unless a handoff of it was just refused (browsers learn why only from this answer).
        const refused = ctx.handoff()?.recentRefusal(resume);
        if (parseSessionId(sessionId) === undefined || !ID_PATTERN.test(resume) || !(await ctx.cluster.loadMembers(sessionId)).has(resume)) {
          throw new VigilError('RESUME_FAILED');
        }
        if (refused !== undefined) {
          throw new VigilError(refused === 'RESUME_TOKEN_INVALID' ? 'RESUME_TOKEN_INVALID' : 'RESUME_FAILED');
        }
        const home = await ctx.requireMediaHome(sessionId);
        sendJson(res, 200, home === undefined ? { ok: true, resumable: true } : { ok: true, resumable: true, redirect: home });
        return;
      }
      findResumable(ctx, sessionId, resume, String(resumeToken ?? ''), String(rx ?? '0'));
      sendJson(res, 200, { ok: true, resumable: true });
      return;
    }
    if (typeof sessionId !== 'string' || typeof token !== 'string') {
      throw new VigilError('REQUEST_INVALID', 'Send {"sessionId": string, "token": string}.');
    }
    const grant = verifyClientToken(token, sessionId, ctx.projects, ctx.nowSeconds());
    // A browser learns where to go from here: the upgrade may have gone through the load balancer to
    // another node than this request did.
    const home = await ctx.requireMediaHome(sessionId);
    sendJson(res, 200, home === undefined ? { ok: true, role: grant.role, expireTime: grant.expireTime } : { ok: true, role: grant.role, expireTime: grant.expireTime, redirect: home });
  });

  router.add('GET', '/v1/info', (_req, res) => {
    sendJson(res, 200, { name: 'vigil', protocol: 1, timers: ctx.timers });
  });
}

function readMediaMode(body: Record<string, unknown>): MediaMode {
  const explicit = body['mediaMode'];
  if (explicit === 'routed' || explicit === 'relayed') {
    return explicit;
  }
  // The SDK sends `p2p.preference=disabled` for routed sessions.
  return body['p2p.preference'] === 'disabled' ? 'routed' : 'relayed';
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
