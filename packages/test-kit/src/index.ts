/** @vigil/test-kit — harnesses for Vigil's tests: real servers, raw sockets, Chromium, a manual clock. */

// Servers and clients
export { startTestServer } from './test-server.js';
export type { TestServer } from './test-server.js';
export { openRawSocket, openRawSocketWith } from './raw-socket.js';
export type { RawSocket } from './raw-socket.js';

// The official OpenTok SDK, driven with deadlines
export { createOpenTok, callSdk, callSdkMethod, watchUnhandledRejections } from './opentok-sdk.js';
export type { OpenTokSdk, SdkCallback, SdkOutcome } from './opentok-sdk.js';
export { rawHttp } from './raw-http.js';
export type { RawHttpRequest, RawHttpResponse } from './raw-http.js';

// Push providers (local stand-ins for APNs, FCM and Web Push) and throwaway credentials
export { FakeApns } from './fake-apns.js';
export type { ApnsPush, ApnsAnswer } from './fake-apns.js';
export { FakeFcm } from './fake-fcm.js';
export type { FcmMessage, FcmAnswer } from './fake-fcm.js';
export { FakeWebPush } from './fake-webpush.js';
export type { FakeSubscription, WebPushMessage } from './fake-webpush.js';
export { apnsTestKey, apnsTestToken, fcmTestServiceAccount, fcmTestToken, vapidTestKeys, selfSignedCert } from './push-keys.js';
export { checkJwt } from './jwt-check.js';

// Faults
export { FaultProxy, FaultModes } from './fault-proxy.js';
export type { FaultMode } from './fault-proxy.js';

// Waiting
export { nextEvent, recordEvents, waitUntil } from './next-event.js';

// Time and devices
export { ManualClock } from './manual-clock.js';
export { IosSimulator } from './ios-simulator.js';
export type { SimulatedAppState, PeerView } from './ios-simulator.js';

// Repository files and the lifecycle transition tables
export { repoRoot, repoPath, lineOf } from './repo-path.js';
export { active, background, inactive, call, tick, BASE, STATES, stepMs, build, showEffect, show, deepFreeze, checkTable } from './lifecycle-fixtures.js';
export type { StateName } from './lifecycle-fixtures.js';

// Browsers
export { launchChromium, chromiumPath, CHROMIUM_ARGS } from './chromium.js';
export { browserClientHandler } from './browser-client-page.js';
export { processTreeByMarker, signalProcesses } from './process-tree.js';

// Audio and video in real pages
export { MediaParticipant } from './media-page.js';
export type { MediaParticipantOptions, PageMediaEvent, PageStreamStats } from './media-page.js';
export { waitForMediaFlow, mediaArriving } from './media-flow.js';
export type { FlowExpectation, FlowResult } from './media-flow.js';

// Redis (a real redis-server per test, on a free port; or a real Redis Cluster of several)
export { startRedis, startSentinel, redisServerPath } from './redis-server.js';
export type { RedisHandle } from './redis-server.js';
export type { SecureRedis } from './secure-redis.js';
export { startRedisCluster } from './redis-cluster-server.js';
export type { RedisClusterHandle } from './redis-cluster-server.js';
export { startClusterNode } from './cluster-node.js';
export type { ClusterNode, ClusterNodeOptions } from './cluster-node.js';
export { TcpBalancer } from './tcp-balancer.js';
