/** @vigil/cli — the `vigil` command: serve, session create, token, lint. */
export { main } from './main.js';
export { runServe } from './commands/serve.js';
export { resolveCredentials, credentialsFile } from './credentials.js';
export type { Credentials } from './credentials.js';
export type { CommandIo } from './commands/io.js';
