import type { AudioInterruptionReason } from '../inputs.js';
import { watchForSuspension, type SuspensionDetectorOptions } from './suspension-detector.js';

/**
 * The slice of React Native's `AppState` module the adapter uses (react-native ≥ 0.65:
 * `AppState.currentState` and `AppState.addEventListener('change', fn)` returning a subscription).
 * Declared structurally so the adapter builds without react-native installed; pass the real module.
 */
export interface AppStateModule {
  currentState: string | null;
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

/**
 * Optional native audio-session events (e.g. from a small native module observing
 * `AVAudioSession.interruptionNotification` on iOS or audio focus on Android). `began` carries why.
 */
export interface AudioSessionEvents {
  addListener(
    listener: (event: { type: 'began'; reason?: AudioInterruptionReason } | { type: 'ended' }) => void,
  ): { remove(): void };
}

/** Optional network status (e.g. `@react-native-community/netinfo`'s `addEventListener`). */
export interface NetworkEvents {
  addEventListener(listener: (state: { isConnected: boolean | null }) => void): () => void;
}

/** `onInput` receives every input; the clock options serve suspension detection (iOS stops the JS thread silently). */
export interface ReactNativeAdapterOptions extends SuspensionDetectorOptions {
  AppState: AppStateModule;
  audioSession?: AudioSessionEvents;
  netInfo?: NetworkEvents;
}

export interface ReactNativeAdapter {
  detach(): void;
}

const STATES: Record<string, 'active' | 'inactive' | 'background'> = {
  active: 'active',
  inactive: 'inactive',
  background: 'background',
};

/**
 * React Native → lifecycle inputs. `AppState` gives active / inactive / background; iOS suspends the
 * JS thread without an event, so a late timer is read as suspend + resume; native audio interruptions
 * and network status come from optional modules.
 */
export function createReactNativeAdapter(options: ReactNativeAdapterOptions): ReactNativeAdapter {
  const { onInput } = options;
  const subscriptions: (() => void)[] = [];
  const emitState = (state: string | null): void => {
    const mapped = state ? STATES[state] : undefined;
    if (mapped) {
      onInput({ type: 'appState', state: mapped });
    }
  };
  emitState(options.AppState.currentState);
  const appState = options.AppState.addEventListener('change', emitState);
  subscriptions.push(() => appState.remove());
  if (options.audioSession) {
    const audio = options.audioSession.addListener((event) => {
      onInput(event.type === 'began' ? { type: 'audioInterruptionBegan', reason: event.reason ?? 'otherApp' } : { type: 'audioInterruptionEnded' });
    });
    subscriptions.push(() => audio.remove());
  }
  if (options.netInfo) {
    subscriptions.push(
      options.netInfo.addEventListener(({ isConnected }) => {
        if (isConnected !== null) {
          onInput({ type: 'network', status: isConnected ? 'online' : 'offline' });
        }
      }),
    );
  }
  subscriptions.push(watchForSuspension(options));
  return {
    detach() {
      for (const unsubscribe of subscriptions.splice(0)) {
        unsubscribe();
      }
    },
  };
}
