/**
 * @vigil/server — Vigil's session server: WebSocket for clients, OpenTok-compatible REST for app servers.
 */

// Server
export { createServer } from './create-server.js';
export type { ServerOptions, VigilServer } from './create-server.js';

// Media (routed mode's forwarding unit)
export { WeriftEngine } from './media/routed/werift-engine.js';
export type { MediaEngine, MediaEngineStats } from './media/routed/media-engine.js';
export type { WeriftNetworkOptions } from './media/routed/werift-peer.js';
export { resolveTimers } from './timers-config.js';

// Push wake-up (docs/push.md)
export { MemoryPushRegistrationStore } from './push/registration-store.js';
export type { PushRegistrationStore, MemoryStoreLimits } from './push/registration-store.js';
export { MemoryHeldMessageStore } from './push/held-store.js';
export type { HeldMessageStore, HeldMessage, HeldLimits } from './push/held-store.js';
export { RedisPushRegistrationStore } from './push/redis-registration-store.js';
export type { RedisPushRegistrationStoreOptions } from './push/redis-registration-store.js';
export { RedisHeldMessageStore } from './push/redis-held-store.js';
export type { RedisHeldMessageStoreOptions } from './push/redis-held-store.js';
export type { RedisClient } from './push/redis-script.js';
export { MemoryDeployment } from './cluster/deployment.js';
export type { DeploymentStores, RedisDeploymentOptions } from './cluster/deployment.js';
export type { SessionStore } from './cluster/session-store.js';
export { MemorySessionState, MemorySessionStore } from './cluster/memory-session-store.js';
export { RedisSessionStore } from './cluster/redis-session-store.js';
export { redactRedisUrl, redisOptionsFor } from './cluster/redis-address.js';
export type { PushOptions, ApnsOptions, FcmOptions, FcmServiceAccount, WebPushOptions } from './push/push-options.js';
export type { PushRegistration, PushNotice, AlertText } from './push/types.js';
export type { RetryPolicy } from './push/retry.js';
export { encryptWebPush } from './push/webpush-encrypt.js';

// Tokens and credentials
export { mintClientToken, verifyClientToken } from './client-token.js';
export type { MintTokenOptions, TokenGrant } from './client-token.js';
export { mintProjectJwt, verifyProjectJwt } from './rest-auth.js';
export { ProjectDirectory } from './projects.js';
export type { ProjectCredentials } from './projects.js';

// Time and logs
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { createConsoleLogger, silentLogger, LogLevels } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export type { RateLimit } from './rate-limiter.js';
