import type { ChildProcess } from 'node:child_process';
import type { BenchConfig } from './args.js';

/** Cumulative `process.cpuUsage()` of a server child, plus its RSS; the parent takes deltas. */
export interface UsageSample {
  userUs: number;
  systemUs: number;
  rssBytes: number;
}

/** What the receivers process measured over the send phase. */
export interface SendResult {
  sent: number;
  deliveries: number;
  expected: number;
  /** First send to last delivery, ms. */
  wallMs: number;
  /** Send to arrival, per delivery (percentiles of a fixed-bucket histogram), ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Send to arrival at the last of all members, per signal, ms. */
  lastP50Ms: number;
  lastP99Ms: number;
  /** Deliveries that did not carry the next sequence number for their socket. */
  outOfOrder: number;
  /** Acks and errors the sender got (raw ws sends no acks). */
  acks: number;
  errors: number;
  firstError: string;
  /** Sockets that closed during the send phase. */
  closed: number;
  timedOut: boolean;
  clientUserUs: number;
  clientSystemUs: number;
}

/** Settings the receivers process gets in argv[2], as JSON. */
export interface ReceiversSettings extends Pick<BenchConfig, 'receivers' | 'messages' | 'window' | 'dataBytes' | 'deadlineMs'> {
  url: string;
  /** Several nodes of one deployment: receiver i joins `urls[i % n]`, the sender `urls[0]`. */
  urls?: string[];
}

export type ServerToParent = { kind: 'ready'; url: string } | ({ kind: 'usage' } & UsageSample);
export type ParentToServer = { kind: 'usage?' };
export type ClientToParent = { kind: 'joined'; joinMs: number } | { kind: 'done'; result: SendResult } | { kind: 'failed'; error: string };
export type ParentToClient = { kind: 'go' };

/**
 * Resolves with the child's next IPC message of `kind`; rejects if the child exits, reports failure
 * or stays silent for `timeoutMs`, so no wait in the orchestrator is unbounded.
 */
export function nextMessage<M extends { kind: string }, K extends M['kind']>(
  child: ChildProcess,
  kind: K,
  timeoutMs: number,
  what: string,
): Promise<Extract<M, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown): void => {
      const m = message as M & { error?: string };
      if (m.kind === kind) {
        cleanup();
        resolve(m as Extract<M, { kind: K }>);
      } else if (m.kind === 'failed') {
        cleanup();
        reject(new Error(`${what}: ${m.error ?? 'failed'}`));
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${what}: child exited (code ${String(code)}, signal ${String(signal)})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no "${kind}" within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Sends to the parent; a child whose parent is gone has nothing left to do. */
export function toParent(message: ServerToParent | ClientToParent): void {
  if (!process.send) {
    throw new Error('must be started by bench/run.js (needs an IPC channel)');
  }
  process.send(message);
}
