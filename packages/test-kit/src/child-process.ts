import type { ChildProcess } from 'node:child_process';

/**
 * Stops one child process by its handle: `signal`, then SIGKILL if it is still there after
 * `forceAfterMs`. Resolves when it has exited (at once if it already had).
 */
export function stopChildProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', forceAfterMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
