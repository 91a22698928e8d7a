import { basename } from 'node:path';
import { parseAndroidManifest } from './android-manifest.js';
import { checkAndroid } from './android-rules.js';
import type { ConfigNode } from './config-node.js';
import { classifyPlist, type FileKind } from './detect.js';
import { readExpoView } from './expo-config.js';
import { lintExpoConfig } from './expo-rules.js';
import { checkEntitlements, checkInfoPlist } from './ios-rules.js';
import { readStaticAppConfig } from './js-config.js';
import { parseJsonWithLines } from './literal.js';
import { ConfigParseError } from './parse-error.js';
import { parsePlist } from './plist.js';
import { createFinding } from './rules.js';
import { decodeText } from './text-decode.js';
import type { LintFinding, LintIntent } from './types.js';

/** Findings for one file, plus what the checks spanning several files need to know about it. */
export interface FileResult {
  readonly findings: LintFinding[];
  /** An Info.plist (or the iOS part of an Expo config) was checked. */
  readonly ios: boolean;
  /** The push entitlement was checked (or is supplied by an Expo plugin). */
  readonly entitlementsChecked: boolean;
}

const NOTHING = { ios: false, entitlementsChecked: false } as const;

/**
 * Parses and checks one file whose kind is known. Parse problems become LINT_PARSE_ERROR (or
 * EXPO_CONFIG_NOT_STATIC for app.config.js/ts) with the parser's line; this function does not throw.
 */
export function checkFile(file: string, kind: FileKind, bytes: Uint8Array, intent: LintIntent): FileResult {
  try {
    return checkParsed(file, kind, bytes, intent);
  } catch (error) {
    const line = error instanceof ConfigParseError ? error.line : undefined;
    const reason = error instanceof Error ? error.message : String(error);
    if (kind === 'expo-js') {
      return {
        ...NOTHING,
        findings: [
          createFinding('EXPO_CONFIG_NOT_STATIC', file, line, `Cannot read ${basename(file)} statically: ${reason}.`),
        ],
      };
    }
    return { ...NOTHING, findings: [createFinding('LINT_PARSE_ERROR', file, line, reason)] };
  }
}

function checkParsed(file: string, kind: FileKind, bytes: Uint8Array, intent: LintIntent): FileResult {
  switch (kind) {
    case 'plist':
    case 'entitlements': {
      const { node, format } = parsePlist(bytes);
      const root = requireDict(node, 'plist');
      const anchorLine = format === 'xml' ? root.line : undefined;
      const common = { file, style: 'plist', keyPrefix: '', anchorLine } as const;
      if (kind === 'entitlements' || classifyPlist(basename(file), root) === 'entitlements') {
        const findings = checkEntitlements({ ...common, entitlements: root }, intent);
        return { findings, ios: false, entitlementsChecked: true };
      }
      const findings = checkInfoPlist({ ...common, infoPlist: root, supplied: {} }, intent);
      return { findings, ios: true, entitlementsChecked: false };
    }
    case 'android-manifest': {
      const manifest = parseAndroidManifest(bytes);
      const findings = checkAndroid({
        file,
        style: 'manifest',
        permissions: manifest.permissions,
        services: manifest.services,
        permissionsLine: manifest.manifestLine,
        servicesLine: manifest.applicationLine ?? manifest.manifestLine,
        permissionsPath: '<manifest>',
        blockedPath: '<manifest>',
        supplied: new Map(),
      }, intent);
      return { ...NOTHING, findings };
    }
    case 'expo-json':
    case 'expo-js': {
      const text = decodeText(bytes);
      const root = kind === 'expo-json' ? parseJsonWithLines(text) : readStaticAppConfig(text);
      const view = readExpoView(root);
      if (!view) {
        const what = kind === 'expo-json' ? 'JSON without an "expo" object' : 'an exported object without Expo keys';
        const message = `${basename(file)} is ${what}, so it is not an Expo config.`;
        return { ...NOTHING, findings: [createFinding('LINT_FILE_UNKNOWN', file, root.line, message)] };
      }
      return lintExpoConfig(file, view, intent);
    }
    case 'unknown':
      return {
        ...NOTHING,
        findings: [createFinding('LINT_FILE_UNKNOWN', file, undefined, `${basename(file)} is not an Info.plist, `
          + '.entitlements, Expo app.json / app.config.*, or AndroidManifest.xml.')],
      };
  }
}

function requireDict(node: ConfigNode, what: string): ConfigNode & { kind: 'dict' } {
  if (node.kind === 'dict') return node;
  const found = node.kind === 'array' ? 'an array' : `a ${node.kind}`;
  throw new ConfigParseError(`${what}: the top-level value is ${found}, expected a dictionary`, node.line);
}
