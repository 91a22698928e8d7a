import type { ConfigNode } from './config-node.js';
import { isBinaryPlist, parseBinaryPlist } from './plist-binary.js';
import { parsePlistXml } from './plist-xml.js';
import { decodeText } from './text-decode.js';

export type PlistFormat = 'xml' | 'binary';

/**
 * Reads a property list in either format Xcode produces. Info.plist files are XML in source trees, but
 * Info.plist and .entitlements files extracted from a built .app or .ipa are binary, and both are worth linting.
 */
export function parsePlist(bytes: Uint8Array): { node: ConfigNode; format: PlistFormat } {
  if (isBinaryPlist(bytes)) return { node: parseBinaryPlist(bytes), format: 'binary' };
  return { node: parsePlistXml(decodeText(bytes)), format: 'xml' };
}
