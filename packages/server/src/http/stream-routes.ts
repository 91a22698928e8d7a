import type { IncomingMessage } from 'node:http';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { VigilError, type StreamInfo } from '@vigil/protocol';
import type { ServerContext } from '../server-context.js';
import type { Session } from '../session-registry.js';
import { layoutClassListProblem, setLayoutClassLists } from '../streams/layout-classes.js';
import { ServerStream } from '../streams/server-stream.js';
import { readJsonBody } from './json-body.js';
import { authorizeProject, requireLiveSession, requireOwnSessionId } from './project-auth.js';
import { sendJson } from './respond.js';
import { ForceMuteBody, ForceMuteStreamBody, StreamClassListsBody, type StreamView } from './rest-schemas.js';
import type { RouteParams, Router } from './router.js';
import { forceMuteAllDoc, forceMuteStreamDoc, getStreamDoc, listStreamsDoc, setStreamClassListsDoc } from './stream-route-docs.js';

const checkClassLists = TypeCompiler.Compile(StreamClassListsBody);
const checkForceMute = TypeCompiler.Compile(ForceMuteBody);
const checkForceMuteStream = TypeCompiler.Compile(ForceMuteStreamBody);

/**
 * `getStream`'s content type. The SDK parses an `application/json` answer and then `JSON.parse`s the
 * result again, which throws (P4); under any other type it gets the text and parses it once. A
 * `+json` vendor type still tells other clients the body is JSON.
 */
export const STREAM_CONTENT_TYPE = 'application/vnd.vigil.stream+json; charset=utf-8';

/** A stream as REST shows it: OpenTok's fields first, then Vigil's (see `StreamView`). */
export function streamView(stream: ServerStream | StreamInfo): StreamView {
  const info = stream instanceof ServerStream ? stream.info() : stream;
  const view: StreamView = {
    id: info.id,
    videoType: info.videoType,
    name: info.name,
    layoutClassList: info.layoutClassList,
    connectionId: info.connectionId,
    hasAudio: info.hasAudio,
    hasVideo: info.hasVideo,
    creationTime: info.creationTime,
  };
  if (info.videoDimensions) {
    view.videoDimensions = info.videoDimensions;
  }
  return view;
}

/** The streams everyone in the session can see: announced ones (routed: once negotiated), oldest first. */
export function visibleStreams(session: Session): ServerStream[] {
  return [...session.streams.values()].filter((stream) => stream.live);
}

/**
 * A class list that has the right shape but breaks a class rule gets `LAYOUT_CLASS_LIST_INVALID` and
 * says which, rather than the generic schema error.
 */
function refineClassLists(value: unknown): void {
  const items = (value as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    return;
  }
  for (const [index, item] of items.entries()) {
    const list = (item as { layoutClassList?: unknown } | null)?.layoutClassList;
    if (Array.isArray(list) && list.every((name) => typeof name === 'string')) {
      const problem = layoutClassListProblem(list as string[]);
      if (problem !== undefined) {
        throw new VigilError('LAYOUT_CLASS_LIST_INVALID', `items/${index}: ${problem}.`);
      }
    }
  }
}

/**
 * Authorises, then validates the body, then finds the session: credentials are checked before a body
 * is read, and the session is looked up after, since its last member may leave while the body arrives.
 */
function sessionIdOf(req: IncomingMessage, ctx: ServerContext, params: RouteParams): string {
  return requireOwnSessionId(authorizeProject(req, ctx, params), params['sessionId']);
}

function liveStream(session: Session, streamId: string | undefined): ServerStream {
  const stream = streamId === undefined ? undefined : session.streams.get(streamId);
  if (!stream?.live) {
    throw new VigilError('STREAM_NOT_FOUND');
  }
  return stream;
}

/**
 * What `listStreams`/`getStream` show: the session's streams on every node. A node holding members
 * knows them already; one holding nobody reads them from Redis (docs/scale-out.md).
 */
async function sharedStreams(ctx: ServerContext, sessionId: string): Promise<StreamInfo[]> {
  if (ctx.registry.get(sessionId)) {
    return ctx.streams.welcomeStreams(sessionId);
  }
  const elsewhere = ctx.cluster ? await ctx.cluster.liveStreams(sessionId) : undefined;
  if (!elsewhere) {
    throw new VigilError('SESSION_NOT_FOUND');
  }
  return elsewhere;
}

/** OpenTok's stream calls: `listStreams`, `getStream`, `setStreamClassLists`, `forceMuteStream`, `forceMuteAll`, `disableForceMute`. */
export function addStreamRoutes(router: Router, ctx: ServerContext): void {
  const base = '/v2/project/:apiKey/session/:sessionId';

  router.add(
    'GET',
    `${base}/stream`,
    async (req, res, params) => {
      const items = (await sharedStreams(ctx, sessionIdOf(req, ctx, params))).map(streamView);
      // Exactly `application/json` with `items` always present, or the SDK silently returns [] (P5).
      sendJson(res, 200, { count: items.length, items });
    },
    listStreamsDoc,
  );

  router.add(
    'GET',
    `${base}/stream/:streamId`,
    async (req, res, params) => {
      const streams = await sharedStreams(ctx, sessionIdOf(req, ctx, params));
      const stream = streams.find((info) => info.id === params['streamId']);
      if (!stream) {
        throw new VigilError('STREAM_NOT_FOUND');
      }
      sendJson(res, 200, streamView(stream), STREAM_CONTENT_TYPE);
    },
    getStreamDoc,
  );

  router.add(
    'PUT',
    `${base}/stream`,
    async (req, res, params) => {
      const sessionId = sessionIdOf(req, ctx, params);
      const body = await readJsonBody(req, checkClassLists, { refine: refineClassLists });
      const session = requireLiveSession(ctx, sessionId);
      const changed = setLayoutClassLists(ctx.streams, session, body.items);
      ctx.log.info('rest setStreamClassLists()', { session: session.id, streams: changed.length });
      const items = changed.map(streamView);
      sendJson(res, 200, { count: items.length, items });
    },
    setStreamClassListsDoc,
  );

  router.add(
    'POST',
    `${base}/stream/:streamId/mute`,
    async (req, res, params) => {
      const sessionId = sessionIdOf(req, ctx, params);
      await readJsonBody(req, checkForceMuteStream);
      const session = requireLiveSession(ctx, sessionId);
      const stream = liveStream(session, params['streamId']);
      ctx.log.info('rest forceMuteStream()', { session: session.id, stream: stream.id });
      ctx.streams.forceMute.muteStream(session, stream);
      sendJson(res, 200, streamView(stream));
    },
    forceMuteStreamDoc,
  );

  router.add(
    'POST',
    `${base}/mute`,
    async (req, res, params) => {
      const sessionId = sessionIdOf(req, ctx, params);
      const body = await readJsonBody(req, checkForceMute);
      const session = requireLiveSession(ctx, sessionId);
      const forceMute = ctx.streams.forceMute;
      if (!body.active) {
        ctx.log.info('rest disableForceMute()', { session: session.id });
        forceMute.disable(session);
        sendJson(res, 200, { active: false, excludedStreamIds: [], mutedStreamIds: [] });
        return;
      }
      const excluded = [...new Set([...(body.excludedStreamIds ?? []), ...(body.excudedStreamIds ?? [])])];
      const muted = forceMute.muteAll(session, excluded);
      ctx.log.info('rest forceMuteAll()', { session: session.id, muted: muted.length, excluded: excluded.length });
      sendJson(res, 200, { active: true, excludedStreamIds: excluded, mutedStreamIds: muted });
    },
    forceMuteAllDoc,
  );
}
