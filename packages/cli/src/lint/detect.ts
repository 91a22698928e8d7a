import { basename, extname } from 'node:path';
import { getEntry, type ConfigNode } from './config-node.js';
import { isBinaryPlist } from './plist-binary.js';
import { decodeText } from './text-decode.js';

/**
 * What kind of config file a path holds. The file name decides when it is one of the conventional names;
 * otherwise the content does (fixtures, `Info-Release.plist`, a manifest saved under another name).
 * @module
 */
export type FileKind = 'plist' | 'entitlements' | 'android-manifest' | 'expo-json' | 'expo-js' | 'unknown';

const EXPO_JS = /^app\.config\.[cm]?[jt]s$/;

export function detectKind(path: string, bytes: Uint8Array): FileKind {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  if (ext === '.entitlements') return 'entitlements';
  if (name === 'AndroidManifest.xml') return 'android-manifest';
  if (EXPO_JS.test(name)) return 'expo-js';
  if (name === 'app.json' || name === 'app.config.json') return 'expo-json';
  if (ext === '.plist' || isBinaryPlist(bytes)) return 'plist';
  // Sniff the start of the text: the root element of XML, or the opening brace of JSON.
  const head = decodeText(bytes.subarray(0, 4096))
    .replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, '')
    .trimStart();
  if (/^<plist[\s>]/.test(head)) return 'plist';
  if (/^<manifest[\s>]/.test(head)) return 'android-manifest';
  if (head.startsWith('{') && ext === '.json') return 'expo-json';
  return 'unknown';
}

/**
 * Tells an entitlements plist from an Info.plist when the file name does not (a `.plist` with only
 * `aps-environment` / `com.apple.*` keys is entitlements; anything with bundle or usage keys is an Info.plist).
 */
export function classifyPlist(name: string, root: ConfigNode): 'info' | 'entitlements' {
  if (name === 'Info.plist' || root.kind !== 'dict') return 'info';
  const keys = root.entries.map((entry) => entry.key);
  const infoLike = keys.some((key) => /^(CF|UI|NS|LS)[A-Z]/.test(key));
  const entitlementLike =
    getEntry(root, 'aps-environment') !== undefined || keys.some((key) => key.startsWith('com.apple.'));
  return entitlementLike && !infoLike ? 'entitlements' : 'info';
}
