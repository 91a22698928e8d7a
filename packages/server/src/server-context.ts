import type { LivenessTimers } from '@vigil/protocol';
import type { Clock } from './clock.js';
import type { Liveness } from './liveness.js';
import type { Logger } from './logger.js';
import type { ProjectDirectory } from './projects.js';
import type { SessionRegistry } from './session-registry.js';

/** What request and socket handlers share. Built once by `createServer`. */
export interface ServerContext {
  projects: ProjectDirectory;
  registry: SessionRegistry;
  liveness: Liveness;
  timers: LivenessTimers;
  clock: Clock;
  log: Logger;
  nowSeconds(): number;
}
