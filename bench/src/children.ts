import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nextMessage, type ServerToParent, type UsageSample } from './ipc.js';

// The benchmarks' child processes (servers, nodes, receivers): forked from `src/`, stopped by their
// handle, and never left behind, whatever ends the run (an error, Ctrl-C).

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));

/** Forks `src/<script>` with an IPC channel; its output goes to ours. */
export function spawnChild(script: string, args: string[] = []): ChildProcess {
  const child = fork(fileURLToPath(new URL(`./${script}`, import.meta.url)), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops a child (SIGTERM, SIGKILL after 5 s) and waits until it is gone, so it cannot compete with the next measurement. */
export async function stopChild(child: ChildProcess): Promise<void> {
  const exited = (ms: number): Promise<boolean> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve(true)
      : new Promise((resolve) => {
          const timer = setTimeout(() => resolve(false), ms);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
  child.kill('SIGTERM');
  if (!(await exited(5_000))) {
    child.kill('SIGKILL');
    await exited(2_000);
  }
}

/** A server child's cumulative CPU use and RSS, asked over IPC. */
export async function usageOf(server: ChildProcess): Promise<UsageSample> {
  const reply = nextMessage<ServerToParent, 'usage'>(server, 'usage', 5_000, 'server usage');
  server.send({ kind: 'usage?' });
  return reply;
}
