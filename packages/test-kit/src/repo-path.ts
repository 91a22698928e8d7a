import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The repository root: the nearest directory holding `packages/cli`, walking up from `VIGIL_REPO_ROOT`,
 * then from this file (the test-kit's dist/src, or a /tmp build), then from the working directory.
 */
export function repoRoot(): string {
  if (root !== undefined) return root;
  for (const start of [process.env['VIGIL_REPO_ROOT'], dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start === undefined ? undefined : resolve(start); dir !== undefined; dir = dirname(dir) === dir ? undefined : dirname(dir)) {
      if (existsSync(join(dir, 'packages', 'cli'))) return (root = dir);
    }
  }
  throw new Error('the Vigil repository (a directory holding packages/cli) not found: run from the repository or set VIGIL_REPO_ROOT');
}

/** A path inside the repository: `repoPath('packages', 'cli', 'test', 'fixtures')`. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}

/** 1-based line of the first line of `file` containing `needle` (fails if absent). */
export function lineOf(file: string, needle: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `"${needle}" not in ${file}`);
  return index + 1;
}
