import { qualifyPermission, type PermissionDecl } from './android-manifest.js';
import { checkAndroid } from './android-rules.js';
import { deepestLine, getDict, getEntry, type ConfigNode } from './config-node.js';
import type { ExpoView } from './expo-config.js';
import { pluginContributions } from './expo-plugins.js';
import { checkEntitlements, checkInfoPlist } from './ios-rules.js';
import type { LintFinding, LintIntent } from './types.js';

/** Outcome of linting one Expo config; the flags feed the checks that span several files. */
export interface ExpoLintResult {
  readonly findings: LintFinding[];
  /** The config targets iOS, so its Info.plist rules ran. */
  readonly ios: boolean;
  /** The push entitlement was checked here (ios.entitlements) or is supplied by a plugin. */
  readonly entitlementsChecked: boolean;
}

/**
 * Runs the iOS rules on `ios.infoPlist` / `ios.entitlements` and the Android rules on `android.permissions`
 * / `android.blockedPermissions`, for the platforms the config targets, crediting what known plugins add.
 */
export function lintExpoConfig(file: string, view: ExpoView, intent: LintIntent): ExpoLintResult {
  const { config, prefix } = view;
  const plugins = pluginContributions(view.plugins);
  const findings: LintFinding[] = [];
  let entitlementsChecked = false;

  if (view.platforms.ios) {
    findings.push(...checkInfoPlist({
      file,
      style: 'expo',
      infoPlist: getDict(getDict(config, 'ios'), 'infoPlist'),
      keyPrefix: `${prefix}ios.infoPlist.`,
      anchorLine: deepestLine(config, ['ios', 'infoPlist'], view.line),
      supplied: {
        audioMode: plugins.audioMode,
        cameraUsage: plugins.cameraUsage,
        microphoneUsage: plugins.microphoneUsage,
      },
    }, intent));

    const entitlements = getDict(getDict(config, 'ios'), 'entitlements');
    const hasPushKey = getEntry(entitlements, 'aps-environment') !== undefined;
    if (entitlements && (hasPushKey || !plugins.pushEntitlement)) {
      findings.push(...checkEntitlements({
        file,
        style: 'expo',
        entitlements,
        keyPrefix: `${prefix}ios.entitlements.`,
        anchorLine: deepestLine(config, ['ios', 'entitlements'], view.line),
      }, intent));
    }
    entitlementsChecked = entitlements !== undefined || plugins.pushEntitlement !== undefined;
  }

  if (view.platforms.android) {
    const android = getDict(config, 'android');
    const permissions: PermissionDecl[] = [
      ...permissionList(getEntry(android, 'permissions')?.value, 'declared'),
      ...permissionList(getEntry(android, 'blockedPermissions')?.value, 'removed'),
    ];
    findings.push(...checkAndroid({
      file,
      style: 'expo',
      permissions,
      services: undefined,
      permissionsLine: deepestLine(config, ['android', 'permissions'], view.line),
      servicesLine: undefined,
      permissionsPath: `${prefix}android.permissions`,
      blockedPath: `${prefix}android.blockedPermissions`,
      supplied: plugins.androidPermissions,
    }, intent));
  }
  return { findings, ios: view.platforms.ios, entitlementsChecked };
}

function permissionList(node: ConfigNode | undefined, state: 'declared' | 'removed'): PermissionDecl[] {
  if (node?.kind !== 'array') return [];
  return node.items.flatMap((item) =>
    item.kind === 'string' ? [{ name: qualifyPermission(item.value.trim()), line: item.line, state }] : []);
}
