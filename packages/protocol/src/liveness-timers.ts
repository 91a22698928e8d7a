/** Liveness timers a server runs with; announced to clients at connect. All in milliseconds. */
export interface LivenessTimers {
  /** How often a client sends an application-level heartbeat. */
  heartbeatIntervalMs: number;
  /** Silence after which a connection counts as gone (reconnecting or suspended). */
  heartbeatTimeoutMs: number;
  /** How long an unannounced silent connection is kept before `networkDisconnected`. */
  networkGraceMs: number;
  /** How long a connection silent after announcing `background` is kept before `suspended`. */
  suspendGraceMs: number;
}

export const DEFAULT_TIMERS: Readonly<LivenessTimers> = Object.freeze({
  heartbeatIntervalMs: 2_000,
  heartbeatTimeoutMs: 6_000,
  networkGraceMs: 30_000,
  suspendGraceMs: 120_000,
});

export const MAX_SUSPEND_GRACE_MS = 600_000;
