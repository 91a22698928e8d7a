import { toParent, type ParentToServer } from './ipc.js';

/**
 * Shared by both server children: answer CPU samples over IPC and exit with the parent. Sampling
 * inside the server process is the only way to get its own user/system split.
 */
export function serveUsage(): void {
  process.on('message', (message: ParentToServer) => {
    if (message.kind === 'usage?') {
      const cpu = process.cpuUsage();
      toParent({ kind: 'usage', userUs: cpu.user, systemUs: cpu.system, rssBytes: process.memoryUsage.rss() });
    }
  });
  // The orchestrator kills us by handle; this covers it dying first.
  process.on('disconnect', () => process.exit(0));
}
