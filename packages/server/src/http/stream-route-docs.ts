import { ErrorBody, ForceMuteBody, ForceMuteResult, ForceMuteStreamBody, StreamClassListsBody, StreamList, StreamView } from './rest-schemas.js';
import type { RouteDoc } from './route-doc.js';

// What `GET /v1/openapi.json` says about the stream routes (`stream-routes.ts`), from the schemas the
// handlers validate with.

const common = {
  400: { description: 'The session id is malformed or of another API key (`SESSION_ID_INVALID`).', schema: ErrorBody },
  403: { description: 'The credential is missing, invalid, or not for this API key (`AUTH_FAILED`).', schema: ErrorBody },
} as const;

const withBody = {
  400: {
    description: 'Malformed body or session id (`REQUEST_INVALID`, `SESSION_ID_INVALID`).',
    schema: ErrorBody,
  },
  403: common[403],
  413: { description: 'A body over 64 KiB (`REQUEST_TOO_LARGE`).', schema: ErrorBody },
  415: { description: 'A body that is not `application/json` (`CONTENT_TYPE_UNSUPPORTED`).', schema: ErrorBody },
} as const;

const noSession = { description: 'Nobody is connected to the session (`SESSION_NOT_FOUND`).', schema: ErrorBody } as const;
const noStream = {
  description: 'Nobody is connected to the session, or no such published stream (`SESSION_NOT_FOUND`, `STREAM_NOT_FOUND`).',
  schema: ErrorBody,
} as const;

export const listStreamsDoc: RouteDoc = {
  operationId: 'listStreams',
  summary: "A session's published streams",
  description: 'Streams everyone in the session can see (a routed stream appears once its media is connected), oldest first.',
  tags: ['Streams'],
  auth: 'project',
  sdkMethods: ['listStreams(sessionId, cb)'],
  responses: { 200: { description: 'The streams; `items` is always present.', schema: StreamList }, ...common, 404: noSession },
};

export const getStreamDoc: RouteDoc = {
  operationId: 'getStream',
  summary: 'One published stream',
  description:
    'The body is JSON, but its content type is `application/vnd.vigil.stream+json`, not `application/json`: the ' +
    'opentok SDK parses an `application/json` answer to this call twice and fails (opentok-rest.md P4).',
  tags: ['Streams'],
  auth: 'project',
  sdkMethods: ['getStream(sessionId, streamId, cb)'],
  responses: {
    200: { description: 'The stream.', schema: StreamView, contentType: 'application/vnd.vigil.stream+json' },
    ...common,
    404: noStream,
  },
};

export const setStreamClassListsDoc: RouteDoc = {
  operationId: 'setStreamClassLists',
  summary: "Replace streams' layout class lists",
  description:
    'All or nothing: every list is checked and every stream looked up before anything changes. Everyone in the ' +
    'session gets `streamPropertyChanged` (property and reason `layoutClassList`) for each stream whose list changed.',
  tags: ['Streams'],
  auth: 'project',
  sdkMethods: ['setStreamClassLists(sessionId, classListArray, cb)'],
  body: { schema: StreamClassListsBody, required: true },
  responses: {
    200: { description: 'The streams named, with their new lists.', schema: StreamList },
    ...withBody,
    400: {
      description:
        'Malformed body or session id, a bad class list, or a stream not published in this session (`REQUEST_INVALID`, ' +
        '`SESSION_ID_INVALID`, `LAYOUT_CLASS_LIST_INVALID`, `LAYOUT_STREAM_NOT_FOUND`).',
      schema: ErrorBody,
    },
    404: noSession,
  },
};

export const forceMuteStreamDoc: RouteDoc = {
  operationId: 'forceMuteStream',
  summary: "Mute one stream's audio",
  description:
    'The publisher stops sending audio and its Session/Publisher get `muteForced`; everyone gets `streamPropertyChanged` ' +
    '(`hasAudio` false, reason `forceMuted`) and subscribers `audioDisabled` (reason `forceMuted`). As in OpenTok, the ' +
    'publisher may unmute itself afterwards.',
  tags: ['Moderation'],
  auth: 'project',
  sdkMethods: ['forceMuteStream(sessionId, streamId, cb)'],
  body: { schema: ForceMuteStreamBody },
  responses: { 200: { description: 'Muted; the stream as it is now.', schema: StreamView }, ...withBody, 404: noStream },
};

export const forceMuteAllDoc: RouteDoc = {
  operationId: 'forceMuteAll',
  summary: 'Mute every stream but the excluded ones, now and while active (`active: true`), or end that (`active: false`)',
  description:
    '`active: true` (`forceMuteAll`): every member gets `muteForced {active: true}`, every stream not excluded is muted ' +
    'as by `forceMuteStream`, and so is every stream published while the state lasts. `active: false` ' +
    '(`disableForceMute`): members get `muteForced {active: false}`; later streams publish with audio, muted ones stay ' +
    'muted. Publishers may unmute themselves in either case, as in OpenTok.',
  tags: ['Moderation'],
  auth: 'project',
  sdkMethods: ['forceMuteAll(sessionId, options, cb)', 'disableForceMute(sessionId, cb)'],
  body: { schema: ForceMuteBody, required: true },
  responses: { 200: { description: 'The mute state now, and what this call muted.', schema: ForceMuteResult }, ...withBody, 404: noSession },
};
