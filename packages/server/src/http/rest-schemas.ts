import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConnectionStates, DisconnectReasons, ErrorCodes, LayoutClassLimits, MediaLimits, MediaModes, Roles, SignalLimits, VideoTypes } from '@vigil/protocol';

// The REST surface's bodies and responses, as TypeBox schemas. Handlers validate request bodies with
// compiled checkers of these schemas, and `GET /v1/openapi.json` publishes the same objects, so the
// document and the server cannot disagree. Every schema has a `title`: the OpenAPI generator uses it
// as the component name.

/** A closed set of strings, as a union of literals: the compiled checker and the document agree. */
function literals<const T extends readonly string[]>(values: T) {
  return Type.Union(values.map((v: T[number]) => Type.Literal(v)));
}

/** Ids as they appear in paths: OpenTok's SDK inserts them raw, so they are URL-path-safe. */
const PathSafeId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,255}$', maxLength: 255 });

export const ErrorBody = Type.Object(
  {
    code: literals(Object.keys(ErrorCodes)),
    message: Type.String({ maxLength: 256, description: 'For people; the OpenTok SDK shows it. May change; `code` does not.' }),
    redirect: Type.Optional(Type.String({ maxLength: 2048, description: '`SESSION_ELSEWHERE` only: the base URL of the node that serves the session.' })),
  },
  { title: 'Error', additionalProperties: false, description: 'Every error, on every route: never an empty body.' },
);

/**
 * `POST …/signal`. Unknown keys are ignored rather than refused: the SDK forwards the caller's payload
 * object verbatim, and OpenTok's reference does not forbid extras, so refusing them could break apps
 * that move over unchanged. The limits are OpenTok's, counted in UTF-8 bytes by the handler (the
 * character limits here are implied by the byte limits, since a character is at least one byte).
 */
export const SignalBody = Type.Object(
  {
    type: Type.Optional(
      Type.String({
        maxLength: SignalLimits.maxTypeBytes,
        pattern: '^[A-Za-z0-9_~-]*$',
        description: `At most ${SignalLimits.maxTypeBytes} UTF-8 bytes (413 SIGNAL_TYPE_TOO_LONG); letters, digits, "-", "_", "~" (400 SIGNAL_TYPE_INVALID).`,
      }),
    ),
    data: Type.String({
      maxLength: SignalLimits.maxDataBytes,
      description: `At most ${SignalLimits.maxDataBytes} UTF-8 bytes (413 SIGNAL_DATA_TOO_LONG).`,
    }),
  },
  { title: 'SignalRequest', additionalProperties: true },
);
export type SignalBody = Static<typeof SignalBody>;

export const LivenessTimersView = Type.Object(
  {
    heartbeatIntervalMs: Type.Integer({ minimum: 0 }),
    heartbeatTimeoutMs: Type.Integer({ minimum: 0 }),
    networkGraceMs: Type.Integer({ minimum: 0 }),
    suspendGraceMs: Type.Integer({ minimum: 0 }),
  },
  { title: 'LivenessTimers', additionalProperties: false, description: 'The liveness timers in force, in milliseconds.' },
);

const ConnectionFields = {
  connectionId: PathSafeId,
  data: Type.String({ maxLength: 1024, description: "The token's `connection_data`." }),
  role: literals(Object.values(Roles)),
  creationTime: Type.Integer({ description: 'Milliseconds since the epoch.' }),
};

export const ConnectionSummary = Type.Object(
  {
    ...ConnectionFields,
    state: Type.Union(
      Object.values(ConnectionStates).map((s) => Type.Literal(s)),
      { description: 'What peers see: `active`, `background`, `interrupted`, `reconnecting` or `suspended`.' },
    ),
  },
  { title: 'ConnectionSummary', additionalProperties: false },
);
export type ConnectionSummary = Static<typeof ConnectionSummary>;

const LayoutClassList = Type.Array(
  Type.String({ minLength: 1, maxLength: LayoutClassLimits.maxClassLength, pattern: LayoutClassLimits.classPattern }),
  {
    maxItems: LayoutClassLimits.maxClasses,
    description:
      `OpenTok's layout classes (for composed archives and broadcasts). At most ${LayoutClassLimits.maxClasses} names of ` +
      `letters, digits, "-" and "_", ${LayoutClassLimits.maxClassLength} characters each, ` +
      `${LayoutClassLimits.maxTotalLength} characters in all when joined with spaces.`,
  },
);

/**
 * A published stream: OpenTok's four fields (`id`, `videoType`, `name`, `layoutClassList`) first, then
 * Vigil's. The OpenTok SDK copies every key onto its `Stream`, so the extra ones are harmless.
 */
export const StreamView = Type.Object(
  {
    id: PathSafeId,
    videoType: literals(Object.values(VideoTypes)),
    name: Type.String({ maxLength: MediaLimits.maxStreamNameLength }),
    layoutClassList: LayoutClassList,
    connectionId: Type.String({ description: "The publisher's connection." }),
    hasAudio: Type.Boolean({ description: 'Audio is being published (false after a force mute until the publisher unmutes).' }),
    hasVideo: Type.Boolean(),
    videoDimensions: Type.Optional(
      Type.Object({ width: Type.Integer({ minimum: 1 }), height: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    ),
    creationTime: Type.Integer({ description: 'Milliseconds since the epoch.' }),
  },
  { title: 'Stream', additionalProperties: false },
);
export type StreamView = Static<typeof StreamView>;

export const StreamList = Type.Object(
  { count: Type.Integer({ minimum: 0 }), items: Type.Array(StreamView, { description: 'Oldest first. Always present (P5/P6).' }) },
  { title: 'StreamList', additionalProperties: false },
);

/**
 * `PUT …/stream` (`setStreamClassLists`). Extra keys on an item are ignored: apps may pass the SDK's
 * own `Stream` objects with a new `layoutClassList`, and the SDK forwards them whole.
 */
export const StreamClassListsBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        { id: Type.String({ maxLength: 255 }), layoutClassList: LayoutClassList },
        { additionalProperties: true },
      ),
      { maxItems: 256, description: 'Streams of this session and their new class lists (each list replaces the old one).' },
    ),
  },
  { title: 'StreamClassListsRequest', additionalProperties: true },
);
export type StreamClassListsBody = Static<typeof StreamClassListsBody>;

function streamIdList(description: string) {
  return Type.Array(Type.String({ maxLength: 255 }), { maxItems: 1024, description });
}

/**
 * `POST …/session/{sessionId}/mute` (`forceMuteAll` sends `active: true`, `disableForceMute`
 * `active: false`). The SDK documents the option as `excudedStreamIds` (sic, P14) but sends whatever
 * the caller passed, so both spellings are honoured. Unknown keys are ignored (the SDK forwards the
 * caller's options object).
 */
export const ForceMuteBody = Type.Object(
  {
    active: Type.Boolean({ description: '`true`: mute every stream but the excluded ones, now and later; `false`: end that.' }),
    excludedStreamIds: Type.Optional(streamIdList('Streams (current or future) to leave alone.')),
    excudedStreamIds: Type.Optional(streamIdList('The spelling the SDK documents (P14); merged with `excludedStreamIds`.')),
  },
  { title: 'ForceMuteRequest', additionalProperties: true },
);
export type ForceMuteBody = Static<typeof ForceMuteBody>;

/** `POST …/stream/{streamId}/mute`: the SDK sends `{}`; nothing in it is read. */
export const ForceMuteStreamBody = Type.Object({}, { title: 'ForceMuteStreamRequest', additionalProperties: true });

export const ForceMuteStateView = Type.Object(
  {
    active: Type.Boolean({ description: 'Whether streams published from now on start muted.' }),
    excludedStreamIds: Type.Array(Type.String(), { description: 'Left alone while active (empty when not active).' }),
  },
  { title: 'ForceMuteState', additionalProperties: false },
);

export const ForceMuteResult = Type.Object(
  {
    ...ForceMuteStateView.properties,
    mutedStreamIds: Type.Array(Type.String(), { description: 'The streams this call muted (empty for `active: false`).' }),
  },
  { title: 'ForceMuteResult', additionalProperties: false },
);

export const SessionView = Type.Object(
  {
    sessionId: PathSafeId,
    mediaMode: literals(Object.values(MediaModes)),
    connections: Type.Array(ConnectionSummary, { description: 'Live members in join order, away ones included.' }),
    streams: Type.Array(StreamView, { description: 'Published streams, oldest first (those everyone can see).' }),
    forceMute: ForceMuteStateView,
    timers: LivenessTimersView,
  },
  { title: 'Session', additionalProperties: false },
);
export type SessionView = Static<typeof SessionView>;

export const TimelineEntryView = Type.Object(
  {
    at: Type.Integer({ description: 'Milliseconds since the epoch (server clock).' }),
    state: Type.String({ description: '`joined`, a connection state, or `destroyed`.' }),
    reason: Type.String({ description: 'The role for `joined`, the disconnect reason for `destroyed`, else the cause.' }),
  },
  { title: 'TimelineEntry', additionalProperties: false },
);

export const ConnectionView = Type.Object(
  {
    ...ConnectionFields,
    sessionId: PathSafeId,
    state: Type.Union([...Object.values(ConnectionStates), 'destroyed' as const].map((s) => Type.Literal(s))),
    destroyed: Type.Optional(
      Type.Object(
        { at: Type.Integer(), reason: literals(Object.values(DisconnectReasons)) },
        { additionalProperties: false, description: 'Present once the connection has left.' },
      ),
    ),
    timeline: Type.Array(TimelineEntryView, { description: 'Oldest first; the last 200 steps.' }),
  },
  {
    title: 'Connection',
    additionalProperties: false,
    description: 'A live connection, or one of the last 1 000 that exited.',
  },
);
export type ConnectionView = Static<typeof ConnectionView>;

export const CreateSessionForm = Type.Object(
  {
    'p2p.preference': Type.Optional(literals(['enabled', 'disabled'])),
    mediaMode: Type.Optional(literals(Object.values(MediaModes))),
    archiveMode: Type.Optional(literals(['manual', 'always'])),
    location: Type.Optional(Type.String({ maxLength: 15, description: 'An IPv4 address.' })),
    e2ee: Type.Optional(literals(['true', 'false'])),
  },
  { title: 'CreateSessionRequest', additionalProperties: true, description: 'Form fields, as the OpenTok SDK sends them.' },
);

export const CreateSessionResponse = Type.Array(
  Type.Object({
    session_id: PathSafeId,
    project_id: Type.String(),
    partner_id: Type.String(),
    create_dt: Type.String(),
    media_server_url: Type.String(),
    media_mode: literals(Object.values(MediaModes)),
  }),
  { title: 'CreateSessionResponse', minItems: 1, maxItems: 1 },
);

export const ServerInfo = Type.Object(
  { name: Type.Literal('vigil'), protocol: Type.Integer(), timers: LivenessTimersView },
  { title: 'ServerInfo', additionalProperties: true },
);

export const ConnectCheckBody = Type.Object(
  {
    sessionId: Type.String({ maxLength: 255 }),
    token: Type.Optional(Type.String({ maxLength: 8192 })),
    resume: Type.Optional(Type.String({ maxLength: 64 })),
    resumeToken: Type.Optional(Type.String({ maxLength: 128 })),
    rx: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { title: 'ConnectCheckRequest', additionalProperties: true },
);

export const OpenApiDocumentSchema = Type.Object(
  { openapi: Type.Literal('3.1.0') },
  { title: 'OpenApiDocument', additionalProperties: true },
);

/** Every named schema, published under `components.schemas`. */
export const RestSchemas: readonly TSchema[] = [
  ErrorBody,
  SignalBody,
  LivenessTimersView,
  ConnectionSummary,
  StreamView,
  StreamList,
  StreamClassListsBody,
  ForceMuteBody,
  ForceMuteStreamBody,
  ForceMuteStateView,
  ForceMuteResult,
  SessionView,
  TimelineEntryView,
  ConnectionView,
  CreateSessionForm,
  CreateSessionResponse,
  ServerInfo,
  ConnectCheckBody,
  OpenApiDocumentSchema,
];
