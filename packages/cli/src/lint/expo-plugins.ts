import { getEntry, type ConfigNode } from './config-node.js';

/**
 * What some well-known Expo config plugins write into Info.plist, the entitlements and AndroidManifest.xml at
 * prebuild time, so an app.json that relies on them is not reported for keys it never sets itself. Only
 * behaviour read in the plugins' sources is listed:
 * - `expo-camera`: NSCameraUsageDescription / NSMicrophoneUsageDescription (default sentences; the option set
 *   to `false` deletes the key), CAMERA, and RECORD_AUDIO unless `recordAudioAndroid: false`.
 * - `react-native-webrtc` and `@config-plugins/react-native-webrtc`: both usage descriptions (option, else the
 *   existing value, else a default), CAMERA and RECORD_AUDIO.
 * - `expo-audio`: NSMicrophoneUsageDescription (`false` deletes it), RECORD_AUDIO unless
 *   `recordAudioAndroid: false`, the `audio` background mode with `enableBackgroundRecording: true`.
 * - `expo-notifications`: the aps-environment entitlement.
 * @module
 */

/** A plugin entry of `expo.plugins`: `"name"` or `["name", { options }]`. */
export interface PluginRef {
  readonly name: string;
  readonly options: ConfigNode | undefined;
  readonly line: number | undefined;
}

/** A key a plugin writes (`removes: false`) or deletes (`removes: true`, an option set to `false`). */
export interface PluginEffect {
  readonly plugin: string;
  readonly removes: boolean;
  /** Line of the plugin entry, where a finding about what it removes points. */
  readonly line: number | undefined;
}

export interface PluginContributions {
  cameraUsage?: PluginEffect;
  microphoneUsage?: PluginEffect;
  audioMode?: PluginEffect;
  pushEntitlement?: PluginEffect;
  /** Fully qualified Android permissions added, mapped to the plugin adding them. */
  readonly androidPermissions: Map<string, string>;
}

const CAMERA = 'android.permission.CAMERA';
const RECORD_AUDIO = 'android.permission.RECORD_AUDIO';

/** Reads `plugins` (an array of names or [name, options] pairs); other shapes are ignored. */
export function readPlugins(plugins: ConfigNode | undefined): PluginRef[] {
  if (plugins?.kind !== 'array') return [];
  const refs: PluginRef[] = [];
  for (const item of plugins.items) {
    if (item.kind === 'string') refs.push({ name: item.value, options: undefined, line: item.line });
    else if (item.kind === 'array' && item.items[0]?.kind === 'string') {
      refs.push({ name: item.items[0].value, options: item.items[1], line: item.line });
    }
  }
  return refs;
}

/** Combines the effects of all known plugins; later plugins win, as they run later at prebuild time. */
export function pluginContributions(plugins: readonly PluginRef[]): PluginContributions {
  const out: PluginContributions = { androidPermissions: new Map() };
  for (const { name, options, line } of plugins) {
    const isFalse = (key: string): boolean => {
      const value = getEntry(options, key)?.value;
      return value?.kind === 'boolean' && !value.value;
    };
    const isTrue = (key: string): boolean => {
      const value = getEntry(options, key)?.value;
      return value?.kind === 'boolean' && value.value;
    };
    const effect = (removes: boolean): PluginEffect => ({ plugin: name, removes, line });
    switch (name) {
      case 'expo-camera':
        out.cameraUsage = effect(isFalse('cameraPermission'));
        out.microphoneUsage = effect(isFalse('microphonePermission'));
        out.androidPermissions.set(CAMERA, name);
        if (!isFalse('recordAudioAndroid')) out.androidPermissions.set(RECORD_AUDIO, name);
        break;
      case 'react-native-webrtc':
      case '@config-plugins/react-native-webrtc':
        out.cameraUsage = effect(false);
        out.microphoneUsage = effect(false);
        out.androidPermissions.set(CAMERA, name);
        out.androidPermissions.set(RECORD_AUDIO, name);
        break;
      case 'expo-audio':
        out.microphoneUsage = effect(isFalse('microphonePermission'));
        if (!isFalse('recordAudioAndroid')) out.androidPermissions.set(RECORD_AUDIO, name);
        if (isTrue('enableBackgroundRecording')) out.audioMode = effect(false);
        break;
      case 'expo-notifications':
        out.pushEntitlement = effect(false);
        break;
      default:
        break;
    }
  }
  return out;
}
