import { ConfigParseError } from './parse-error.js';
import { childElements, getAttribute, parseXml, type XmlElement } from './xml.js';
import { decodeText } from './text-decode.js';

/**
 * What the Android rules need from an AndroidManifest.xml: the permissions it requests and the services it
 * declares, each with its line. Also used for the permissions of an Expo config, which has no services.
 * @module
 */

/** How a permission appears in the file, after the manifest merger's rules. */
export interface PermissionDecl {
  /** Fully qualified, e.g. `android.permission.CAMERA`. */
  readonly name: string;
  readonly line: number | undefined;
  /**
   * `declared`: requested. `removed`: `tools:node="remove"` (manifest) or `blockedPermissions` (Expo), which
   * strips it from the merged manifest even when a library requests it. `capped`: `android:maxSdkVersion`
   * below 34, so it is not requested on the Android 14+ devices where the foreground-service rules apply.
   */
  readonly state: 'declared' | 'removed' | 'capped';
  readonly maxSdkVersion?: number;
}

export interface ServiceDecl {
  readonly name: string;
  readonly line: number;
  /** Values of `android:foregroundServiceType` (split on `|`), empty when the attribute is absent. */
  readonly foregroundServiceTypes: readonly string[];
}

export interface AndroidManifestModel {
  readonly manifestLine: number;
  readonly applicationLine: number | undefined;
  readonly permissions: readonly PermissionDecl[];
  readonly services: readonly ServiceDecl[];
}

const ANDROID_NS = 'http://schemas.android.com/apk/res/android';
const TOOLS_NS = 'http://schemas.android.com/tools';
/** First API level with typed foreground-service permissions (Android 14). */
export const FGS_TYPES_API_LEVEL = 34;

/** Reads an AndroidManifest.xml; throws ConfigParseError when it is not XML or its root is not `<manifest>`. */
export function parseAndroidManifest(bytes: Uint8Array): AndroidManifestModel {
  const root = parseXml(decodeText(bytes));
  if (root.name !== 'manifest') {
    throw new ConfigParseError(`AndroidManifest: root element is <${root.name}>, expected <manifest>`, root.line);
  }
  // Prefixes are whatever the file binds to the namespaces; nearly always `android:` and `tools:`.
  const android = prefixFor(root, ANDROID_NS) ?? 'android';
  const tools = prefixFor(root, TOOLS_NS) ?? 'tools';
  const attr = (element: XmlElement, prefix: string, name: string): string | undefined =>
    getAttribute(element, `${prefix}:${name}`)?.value;

  const permissions: PermissionDecl[] = [];
  let application: XmlElement | undefined;
  for (const child of childElements(root)) {
    if (child.name === 'uses-permission' || child.name === 'uses-permission-sdk-23') {
      const name = attr(child, android, 'name');
      if (!name) continue;
      const max = Number(attr(child, android, 'maxSdkVersion'));
      const removed = attr(child, tools, 'node') === 'remove';
      const capped = Number.isInteger(max) && max < FGS_TYPES_API_LEVEL;
      const decl: PermissionDecl = removed || !capped
        ? { name, line: child.line, state: removed ? 'removed' : 'declared' }
        : { name, line: child.line, state: 'capped', maxSdkVersion: max };
      permissions.push(decl);
    } else if (child.name === 'application' && !application) {
      application = child;
    }
  }

  const services: ServiceDecl[] = [];
  for (const child of application ? childElements(application) : []) {
    if (child.name !== 'service' || attr(child, tools, 'node') === 'remove') continue;
    const types = (attr(child, android, 'foregroundServiceType') ?? '')
      .split('|')
      .map((type) => type.trim())
      .filter((type) => type !== '');
    const name = attr(child, android, 'name') ?? '(unnamed service)';
    services.push({ name, line: child.line, foregroundServiceTypes: types });
  }
  return { manifestLine: root.line, applicationLine: application?.line, permissions, services };
}

function prefixFor(root: XmlElement, uri: string): string | undefined {
  const binding = root.attributes.find((a) => a.name.startsWith('xmlns:') && a.value === uri);
  return binding?.name.slice('xmlns:'.length);
}

/**
 * Collapses several declarations of one permission the way the manifest merger does: a removal wins over
 * everything, an uncapped request wins over a capped one.
 */
export function effectivePermission(decls: readonly PermissionDecl[], name: string): PermissionDecl | undefined {
  const matching = decls.filter((decl) => decl.name === name);
  return matching.find((d) => d.state === 'removed') ?? matching.find((d) => d.state === 'declared') ?? matching[0];
}

/** `CAMERA` → `android.permission.CAMERA`; names that already have a package stay as they are (Expo allows both). */
export function qualifyPermission(name: string): string {
  return name.includes('.') ? name : `android.permission.${name}`;
}
