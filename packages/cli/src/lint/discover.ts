import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readExpoView } from './expo-config.js';
import { parseJsonWithLines } from './literal.js';
import { decodeText } from './text-decode.js';

/**
 * Finds the config files of a React Native / Expo project, for `vigil lint` run without file arguments:
 *
 * - `ios/<target>/Info.plist` and `ios/<target>/*.entitlements`, skipping `Pods`, build output, test targets
 *   (`…Tests`) and app extensions (an Info.plist with `NSExtension`): their plists legitimately lack the
 *   app's background modes, and reporting them would bury the real findings.
 * - `app.json` when it holds an Expo config (React Native's own app.json only names the app), and any
 *   `app.config.{json,js,cjs,mjs,ts,cts,mts}`.
 * - `android/app/src/main/AndroidManifest.xml`.
 *
 * Returns absolute paths in a stable order; unreadable directories are skipped, never thrown.
 */
export async function discoverConfigFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const iosDir = join(dir, 'ios');
  for (const target of await directories(iosDir)) {
    if (SKIPPED_IOS_DIRS.test(target)) continue;
    const targetDir = join(iosDir, target);
    const info = join(targetDir, 'Info.plist');
    if ((await isFile(info)) && !(await isExtensionPlist(info))) found.push(info);
    for (const name of (await entries(targetDir)).filter((n) => n.endsWith('.entitlements')).sort()) {
      if (await isFile(join(targetDir, name))) found.push(join(targetDir, name));
    }
  }
  for (const name of EXPO_CONFIG_NAMES) {
    const path = join(dir, name);
    if (!(await isFile(path))) continue;
    if (name !== 'app.json' || (await isExpoJson(path))) found.push(path);
  }
  const manifest = join(dir, 'android', 'app', 'src', 'main', 'AndroidManifest.xml');
  if (await isFile(manifest)) found.push(manifest);
  return found;
}

const SKIPPED_IOS_DIRS = /^(\..*|Pods|build|DerivedData|.*Tests|.*\.xcodeproj|.*\.xcworkspace)$/;
const EXPO_CONFIG_NAMES = [
  'app.json', 'app.config.json', 'app.config.js', 'app.config.cjs', 'app.config.mjs',
  'app.config.ts', 'app.config.cts', 'app.config.mts',
];

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function directories(dir: string): Promise<string[]> {
  const names = (await entries(dir)).sort();
  const dirs: string[] = [];
  for (const name of names) {
    try {
      if ((await stat(join(dir, name))).isDirectory()) dirs.push(name);
    } catch {
      // A dangling symlink or a race with a build: not a target.
    }
  }
  return dirs;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** App extensions (share, notification service…) declare NSExtension; the key name is ASCII in both plist formats. */
async function isExtensionPlist(path: string): Promise<boolean> {
  try {
    return Buffer.from(await readFile(path)).includes('NSExtension');
  } catch {
    return false;
  }
}

/** True for an Expo app.json, and for one that does not parse, so that its syntax error is reported. */
async function isExpoJson(path: string): Promise<boolean> {
  try {
    return readExpoView(parseJsonWithLines(decodeText(await readFile(path)))) !== undefined;
  } catch {
    return true;
  }
}
