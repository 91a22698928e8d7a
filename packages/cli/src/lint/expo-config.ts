import { getDict, getEntry, type ConfigDict, type ConfigNode } from './config-node.js';
import { readPlugins, type PluginRef } from './expo-plugins.js';

/**
 * Locates the Expo config inside a parsed app.json / app.config.*. Two shapes exist: the file form
 * `{ "expo": { … } }`, and the bare form printed by `npx expo config --json` (and returned by many
 * app.config.js files), where `ios`, `android`, `slug`… sit at the top.
 * @module
 */
export interface ExpoView {
  readonly config: ConfigDict;
  /** `expo.` for the file form, '' for the bare form: prepended to key paths in messages. */
  readonly prefix: string;
  /** Line of the `"expo"` key (file form) or of the top object. */
  readonly line: number | undefined;
  /** From `platforms`; both true when the key is absent (Expo's default). */
  readonly platforms: { readonly ios: boolean; readonly android: boolean };
  readonly plugins: readonly PluginRef[];
}

/** Keys that only an Expo config has at its top level; `name` alone is not enough (React Native's app.json has it). */
const EXPO_TOP_LEVEL_KEYS = ['ios', 'android', 'slug', 'sdkVersion', 'plugins', 'platforms', 'runtimeVersion'];

/** The Expo config in `root`, or undefined when `root` is not one (e.g. a bare React Native app.json). */
export function readExpoView(root: ConfigNode): ExpoView | undefined {
  if (root.kind !== 'dict') return undefined;
  const wrapped = getEntry(root, 'expo');
  if (wrapped) {
    const config = getDict(root, 'expo');
    return config ? view(config, 'expo.', wrapped.line) : undefined;
  }
  return EXPO_TOP_LEVEL_KEYS.some((key) => getEntry(root, key)) ? view(root, '', root.line) : undefined;
}

function view(config: ConfigDict, prefix: string, line: number | undefined): ExpoView {
  const platforms = getEntry(config, 'platforms')?.value;
  const listed = platforms?.kind === 'array'
    ? new Set(platforms.items.flatMap((item) => (item.kind === 'string' ? [item.value] : [])))
    : undefined;
  return {
    config,
    prefix,
    line,
    platforms: { ios: listed?.has('ios') ?? true, android: listed?.has('android') ?? true },
    plugins: readPlugins(getEntry(config, 'plugins')?.value),
  };
}
