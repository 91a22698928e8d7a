import type { Browser, BrowserContext, Page } from 'playwright-core';

/** One thing that happened in a participant's page (session, publisher or subscriber event). */
export interface PageMediaEvent {
  /** `session`, `publisher`, or `subscriber:<streamId>`. */
  source: string;
  name: string;
  streamId?: string;
  reason?: string;
  changedProperty?: string;
  newValue?: unknown;
  code?: string;
  streamName?: string;
  videoType?: string;
  /** `connectionStateChanged`: the connection and its new state. */
  connectionId?: string;
  state?: string;
  /** `videoRestoreFailed` / `audioRestoreFailed`. */
  attempt?: number;
  retryInMs?: number | null;
}

/** A subscriber's media elements in the page: the `<video>` view, or the `<audio>` used while it is deferred. */
export interface PageSubscriberView {
  /** The subscriber exists (subscribe resolved). */
  subscribed: boolean;
  hasVideoElement: boolean;
  hasAudioElement: boolean;
  /** The video element's `videoWidth` (0 before a frame was rendered). */
  videoWidth: number;
  /** Frames the video element presented (`getVideoPlaybackQuality().totalVideoFrames`). */
  renderedFrames: number;
}

/** What a participant's page receives from one stream (from its subscriber's `getStats()`). */
export interface PageStreamStats {
  streamId: string;
  connectionState: string;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  videoPackets: number;
  audioPackets: number;
}

export interface MediaParticipantOptions {
  name: string;
  /** Publish on join (default true). */
  publish?: boolean;
  /** Subscribe to every other stream as it appears (default true). */
  autoSubscribe?: boolean;
  /** Publish a 320x240 animated canvas (video only) instead of the fake camera and microphone. */
  canvas?: boolean;
  resolution?: string;
  frameRate?: number;
  /** Browser user agent, e.g. a phone's, so the SDK applies the mobile lifecycle policy. */
  userAgent?: string;
}

interface PageApi {
  events: PageMediaEvent[];
  session: import('@vigil/client').Session;
  publisher: import('@vigil/client').Publisher | undefined;
  subscribers: Map<string, import('@vigil/client').Subscriber>;
  sdk: typeof import('@vigil/client');
  publish(): Promise<void>;
}

type PageWindow = { __vigil: PageApi };

/**
 * A participant in a real browser page: its own browser context, the SDK loaded from the server's
 * `/vigil-client.js`, publishing the fake camera and microphone (or a canvas) and subscribing to
 * everyone else. Every session, publisher and subscriber event is recorded in the page.
 */
export class MediaParticipant {
  readonly name: string;
  readonly page: Page;
  readonly #context: BrowserContext;

  private constructor(name: string, context: BrowserContext, page: Page) {
    this.name = name;
    this.#context = context;
    this.page = page;
  }

  /** Opens `pageUrl` (a page on the server's origin) and joins `sessionId` with `token`. */
  static async join(browser: Browser, pageUrl: string, init: { apiKey: string; sessionId: string; token: string }, options: MediaParticipantOptions): Promise<MediaParticipant> {
    const context = await browser.newContext(options.userAgent ? { userAgent: options.userAgent } : {});
    const page = await context.newPage();
    const participant = new MediaParticipant(options.name, context, page);
    await page.goto(pageUrl);
    await page.evaluate(setUpPage, { ...init, options });
    return participant;
  }

  /** Every event so far (or from index `from`). */
  async events(from = 0): Promise<PageMediaEvent[]> {
    return (await this.page.evaluate(() => (window as unknown as PageWindow).__vigil.events)).slice(from);
  }

  async eventCount(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as PageWindow).__vigil.events.length);
  }

  /** Polls the recorded events (every 50 ms, up to `timeoutMs`) for one that matches. */
  async waitForEvent(match: Partial<PageMediaEvent>, options: { from?: number; timeoutMs?: number } = {}): Promise<PageMediaEvent> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = (await this.events(options.from ?? 0)).find((event) => Object.entries(match).every(([key, value]) => event[key as keyof PageMediaEvent] === value));
      if (found) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: no event ${JSON.stringify(match)} within ${options.timeoutMs ?? 10_000} ms; saw ${JSON.stringify(await this.events(options.from ?? 0))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async connectionId(): Promise<string> {
    return this.page.evaluate(() => (window as unknown as PageWindow).__vigil.session.connection?.connectionId ?? '');
  }

  /** This participant's published stream id ('' when not published). */
  async streamId(): Promise<string> {
    return this.page.evaluate(() => (window as unknown as PageWindow).__vigil.publisher?.streamId ?? '');
  }

  /** One entry per subscribed stream. */
  async stats(): Promise<PageStreamStats[]> {
    return this.page.evaluate(async () => {
      const api = (window as unknown as PageWindow).__vigil;
      const out: PageStreamStats[] = [];
      for (const [streamId, subscriber] of api.subscribers) {
        try {
          const s = await subscriber.getStats();
          out.push({
            streamId,
            connectionState: s.connectionState,
            framesDecoded: s.video.framesDecoded,
            frameWidth: s.video.frameWidth,
            frameHeight: s.video.frameHeight,
            videoPackets: s.video.packetsReceived,
            audioPackets: s.audio.packetsReceived,
          });
        } catch {
          // Not connected yet.
        }
      }
      return out;
    });
  }

  /**
   * Hides or shows the page the way testing-media.md found to work in headless Chromium: override
   * `document.visibilityState` and dispatch `visibilitychange` (synthetic, but it drives the SDK's real
   * browser adapter). Focus emulation, other tabs and CDP lifecycle states leave the page `visible`.
   */
  async setHidden(hidden: boolean): Promise<void> {
    await this.page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  }

  /** Feeds one input to the page's lifecycle engine (`session.lifecycle.send`); throws when it has none. */
  async lifecycleInput(input: import('@vigil/lifecycle').LifecycleInput): Promise<void> {
    await this.page.evaluate((value) => {
      const lifecycle = (window as unknown as PageWindow).__vigil.session.lifecycle;
      if (!lifecycle) {
        throw new Error('this page runs no lifecycle engine (join with a userAgent)');
      }
      lifecycle.send(value);
    }, input);
  }

  /** The engine's camera restore in progress for this page's publisher (null: none, i.e. verified or never started). */
  async videoRestore(): Promise<import('@vigil/lifecycle').RestoreProgress | null> {
    return this.page.evaluate(() => {
      const api = (window as unknown as PageWindow).__vigil;
      const id = api.publisher?.streamId;
      return api.session.lifecycle?.engine.state.publishers.find((p) => p.id === id)?.videoRestore ?? null;
    });
  }

  /**
   * Stops the published camera track behind the SDK's back (as a broken camera driver or the OS might),
   * so a later restore finds no frames. `stop()` fires no `ended` event, so the SDK is not told.
   */
  async breakCamera(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as PageWindow).__vigil.publisher?.tracks.find((t) => t.kind === 'video')?.stop();
    });
  }

  /** Whether the published camera track is live (a fresh one after a re-acquire). */
  async cameraLive(): Promise<boolean> {
    return this.page.evaluate(() => (window as unknown as PageWindow).__vigil.publisher?.tracks.find((t) => t.kind === 'video')?.readyState === 'live');
  }

  /** The media elements of this page's subscriber to `streamId`. */
  async subscriberView(streamId: string): Promise<PageSubscriberView> {
    return this.page.evaluate((id) => {
      const subscriber = (window as unknown as PageWindow).__vigil.subscribers.get(id);
      const video = subscriber?.element;
      const audio = document.querySelector('audio.vigil-subscriber-audio');
      return {
        subscribed: subscriber !== undefined,
        hasVideoElement: video !== undefined && video.isConnected,
        hasAudioElement: audio !== null,
        videoWidth: video?.videoWidth ?? 0,
        renderedFrames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      };
    }, streamId);
  }

  /** Number of subscriber `<video>` elements in the page (the SDK gives them class `vigil-subscriber`). */
  async subscriberVideoElements(): Promise<number> {
    return this.page.evaluate(() => document.querySelectorAll('video.vigil-subscriber').length);
  }

  async publishVideo(on: boolean): Promise<void> {
    await this.page.evaluate((value) => (window as unknown as PageWindow).__vigil.publisher?.publishVideo(value), on);
  }

  async publishAudio(on: boolean): Promise<void> {
    await this.page.evaluate((value) => (window as unknown as PageWindow).__vigil.publisher?.publishAudio(value), on);
  }

  async subscribeToVideo(streamId: string, on: boolean): Promise<void> {
    await this.page.evaluate(([id, value]) => (window as unknown as PageWindow).__vigil.subscribers.get(id as string)?.subscribeToVideo(value as boolean), [streamId, on] as const);
  }

  async subscribeToAudio(streamId: string, on: boolean): Promise<void> {
    await this.page.evaluate(([id, value]) => (window as unknown as PageWindow).__vigil.subscribers.get(id as string)?.subscribeToAudio(value as boolean), [streamId, on] as const);
  }

  /** Publishes again (after `unpublish`), a new stream with the same media. */
  async publish(): Promise<void> {
    await this.page.evaluate(() => (window as unknown as PageWindow).__vigil.publish());
  }

  async unpublish(): Promise<void> {
    await this.page.evaluate(async () => {
      const api = (window as unknown as PageWindow).__vigil;
      if (api.publisher) {
        await api.session.unpublish(api.publisher);
      }
    });
  }

  async disconnect(): Promise<void> {
    await this.page.evaluate(() => (window as unknown as PageWindow).__vigil.session.disconnect());
  }

  /** Closes the page's browser context (the participant's media and socket go with it). */
  async close(): Promise<void> {
    await this.#context.close();
  }
}

/** Runs in the page: loads the SDK, records events, joins, publishes and subscribes. */
async function setUpPage(args: { apiKey: string; sessionId: string; token: string; options: MediaParticipantOptions }): Promise<void> {
  const sdk = (await import('/vigil-client.js' as string)) as typeof import('@vigil/client');
  const { options } = args;
  const events: PageMediaEvent[] = [];
  // The lifecycle engine runs only when asked (a phone user agent): the other media tests drive media
  // directly, and a headless page never goes to the background by itself.
  const session = sdk.initSession(args.apiKey, args.sessionId, args.options.userAgent ? {} : { lifecycle: false });
  const subscribers = new Map<string, import('@vigil/client').Subscriber>();
  const api: PageApi = { events, session, publisher: undefined, subscribers, sdk, publish: async () => undefined };
  (window as unknown as PageWindow).__vigil = api;
  const record = (source: string, name: string, extra: Partial<PageMediaEvent> = {}): void => {
    events.push({ source, name, ...extra });
  };
  session.on('streamCreated', ({ stream }) => {
    record('session', 'streamCreated', { streamId: stream.streamId, streamName: stream.name, videoType: stream.videoType });
    if (options.autoSubscribe === false) {
      return;
    }
    session.subscribe(stream, document.body, {}).then(
      (subscriber) => {
        subscribers.set(stream.streamId, subscriber);
        const source = `subscriber:${stream.streamId}`;
        for (const name of ['videoDisabled', 'videoEnabled', 'audioDisabled', 'audioEnabled'] as const) {
          subscriber.on(name, ({ reason }) => record(source, name, { streamId: stream.streamId, reason }));
        }
        subscriber.on('connected', () => record(source, 'connected', { streamId: stream.streamId }));
        subscriber.on('videoElementCreated', () => record(source, 'videoElementCreated', { streamId: stream.streamId }));
        subscriber.on('audioRestoreFailed', ({ attempt, retryInMs }) => record(source, 'audioRestoreFailed', { streamId: stream.streamId, attempt, retryInMs }));
        subscriber.on('destroyed', ({ reason }) => {
          subscribers.delete(stream.streamId);
          record(source, 'destroyed', { streamId: stream.streamId, reason });
        });
        subscriber.on('error', ({ error }) => record(source, 'error', { streamId: stream.streamId, code: error.code }));
      },
      (error: { code?: string }) => record('session', 'subscribeFailed', { streamId: stream.streamId, code: error.code ?? 'unknown' }),
    );
  });
  session.on('streamDestroyed', ({ stream, reason }) => record('session', 'streamDestroyed', { streamId: stream.streamId, reason }));
  session.on('streamPropertyChanged', ({ stream, changedProperty, newValue, reason }) =>
    record('session', 'streamPropertyChanged', { streamId: stream.streamId, changedProperty, newValue, reason }),
  );
  session.on('sessionDisconnected', ({ reason }) => record('session', 'sessionDisconnected', { reason }));
  session.on('connectionStateChanged', ({ connection, state, reason }) => record('session', 'connectionStateChanged', { connectionId: connection.connectionId, state, reason }));
  await session.connect(args.token);

  const makePublisher = (): import('@vigil/client').Publisher => {
    let publisherOptions: import('@vigil/client').PublisherOptions = { name: options.name };
    if (options.canvas) {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      let frame = 0;
      // Something changes every frame, so the encoder keeps producing frames.
      setInterval(() => {
        frame += 1;
        context.fillStyle = `hsl(${(frame * 7) % 360} 80% 50%)`;
        context.fillRect(0, 0, 320, 240);
        context.fillStyle = '#000';
        context.fillText(String(frame), 20, 40);
      }, 50);
      const track = canvas.captureStream(20).getVideoTracks()[0] as MediaStreamTrack;
      publisherOptions = { ...publisherOptions, videoSource: track, audioSource: false };
    } else {
      if (options.resolution) {
        publisherOptions.resolution = options.resolution;
      }
      if (options.frameRate) {
        publisherOptions.frameRate = options.frameRate;
      }
    }
    const publisher = sdk.initPublisher(document.body, publisherOptions);
    publisher.on('streamCreated', ({ stream }) => record('publisher', 'streamCreated', { streamId: stream.streamId, videoType: stream.videoType }));
    publisher.on('streamDestroyed', ({ stream, reason }) => record('publisher', 'streamDestroyed', { streamId: stream.streamId, reason }));
    publisher.on('accessDenied', ({ error }) => record('publisher', 'accessDenied', { code: error.code }));
    publisher.on('mediaStopped', () => record('publisher', 'mediaStopped'));
    publisher.on('error', ({ error }) => record('publisher', 'error', { code: error.code }));
    publisher.on('videoRestoreFailed', ({ attempt, retryInMs }) => record('publisher', 'videoRestoreFailed', { attempt, retryInMs }));
    publisher.on('audioRestoreFailed', ({ attempt, retryInMs }) => record('publisher', 'audioRestoreFailed', { attempt, retryInMs }));
    return publisher;
  };
  api.publish = async () => {
    api.publisher ??= makePublisher();
    await session.publish(api.publisher);
  };
  if (options.publish !== false) {
    await api.publish();
  }
}
