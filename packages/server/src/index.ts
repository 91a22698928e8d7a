/**
 * @vigil/server — Vigil's session server: WebSocket for clients, OpenTok-compatible REST for app servers.
 */

// Server
export { createServer } from './create-server.js';
export type { ServerOptions, VigilServer } from './create-server.js';
export { resolveTimers } from './timers-config.js';

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
