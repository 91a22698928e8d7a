const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses `90`, `90s`, `30m`, `1h`, `7d` into seconds; throws a message naming the bad value. */
export function parseDurationSeconds(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) {
    throw new Error(`Invalid duration "${text}": use a number of seconds or e.g. 30m, 1h, 7d`);
  }
  const seconds = Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
  if (seconds <= 0 || seconds > 30 * 86_400) {
    throw new Error(`Invalid duration "${text}": must be between 1 second and 30 days`);
  }
  return seconds;
}
