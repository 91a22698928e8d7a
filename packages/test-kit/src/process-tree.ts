import { readdirSync, readFileSync } from 'node:fs';

/**
 * PIDs of the process whose command line contains `marker` and of all its descendants, read from
 * /proc. Used to stop one browser (all of its processes) by PID, never by name.
 */
export function processTreeByMarker(marker: string): number[] {
  const procs = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const parentOf = new Map<number, number>();
  let root: number | undefined;
  for (const pid of procs) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may contain spaces; the parent pid is the second field after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(pid, ppid);
      if (root === undefined && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) {
        const parentCmd = safeRead(`/proc/${ppid}/cmdline`);
        if (!parentCmd.includes(marker)) {
          root = pid;
        }
      }
    } catch {
      // The process exited while we looked.
    }
  }
  if (root === undefined) {
    return [];
  }
  const tree = new Set([root]);
  for (let changed = true, rounds = 0; changed && rounds < 50; rounds += 1) {
    changed = false;
    for (const [pid, ppid] of parentOf) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        changed = true;
      }
    }
  }
  return [...tree];
}

/** Sends `signal` to every PID, ignoring ones that already exited. */
export function signalProcesses(pids: readonly number[], signal: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
