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
