import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { MediaMode } from '@vigil/protocol';
import {
  MediaParticipant,
  browserClientHandler,
  launchChromium,
  mediaArriving,
  startTestServer,
  waitForMediaFlow,
  type MediaParticipantOptions,
  type TestServer,
} from '@vigil/test-kit';

// The media scenarios of issue 4, run once per media mode by `media-relayed.browser.test.ts` and
// `media-routed.browser.test.ts`: real Chromium, fake camera and microphone, loopback only. Video is
// asked for at 320x240 so three participants fit on two cores.

const SIZE = { width: 320, height: 240 };

export function defineMediaScenarios(mediaMode: MediaMode, extra?: (context: { browser: () => Browser; room: (t: TestContext) => Promise<Room> }) => void): void {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
  });

  async function room(t: TestContext): Promise<Room> {
    const h = await startTestServer(t, { httpHandler: browserClientHandler() });
    return new Room(h, browser, h.newSessionId(mediaMode), t);
  }

  test(`${mediaMode}: two participants receive each other's video (320x240) and audio`, async (t) => {
    const r = await room(t);
    const [ann, ben] = (await r.join(['Ann', 'Ben'])) as [MediaParticipant, MediaParticipant];
    const [annStream, benStream] = [await ann.streamId(), await ben.streamId()];
    const atBen = await waitForMediaFlow(ben, annStream, SIZE);
    const atAnn = await waitForMediaFlow(ann, benStream, SIZE);
    t.diagnostic(`Ann→Ben ${atBen.framesPerSecond.toFixed(1)} fps, ${atBen.audioPacketsPerSecond.toFixed(0)} audio pkt/s; Ben→Ann ${atAnn.framesPerSecond.toFixed(1)} fps`);
    const created = await ben.waitForEvent({ source: 'session', name: 'streamCreated', streamId: annStream });
    assert.equal(created.streamName, 'Ann');
    assert.equal(created.videoType, 'camera');
    await ann.waitForEvent({ source: 'publisher', name: 'streamCreated', streamId: annStream });
  });

  test(`${mediaMode}: three participants each decode both others; subscribeToVideo(false) affects only that subscriber`, async (t) => {
    const r = await room(t);
    const people = await r.join(['Ann', 'Ben', 'Cat']);
    const ids = await Promise.all(people.map((p) => p.streamId()));
    for (const [i, receiver] of people.entries()) {
      for (const [j, streamId] of ids.entries()) {
        if (i !== j) {
          await waitForMediaFlow(receiver, streamId, { ...SIZE, soakMs: 600 });
        }
      }
    }
    const [ann, ben, cat] = people as [MediaParticipant, MediaParticipant, MediaParticipant];
    const benStream = ids[1] as string;
    const mark = await ann.eventCount();
    await ann.subscribeToVideo(benStream, false);
    const disabled = await ann.waitForEvent({ source: `subscriber:${benStream}`, name: 'videoDisabled' }, { from: mark });
    assert.equal(disabled.reason, 'subscribeToVideo');
    assert.ok((await mediaArriving(ann, benStream, 'video')) <= 3, 'Ann gets no more video from Ben');
    assert.ok((await mediaArriving(ann, benStream, 'audio', { settleMs: 0 })) > 20, "Ann still hears Ben");
    assert.ok((await mediaArriving(cat, benStream, 'video', { settleMs: 0 })) > 8, 'Cat still sees Ben');
    assert.ok(!(await cat.events()).some((e) => e.name === 'videoDisabled'), 'nobody else is told');
    assert.ok(!(await ben.events()).some((e) => e.name === 'videoDisabled'), 'the publisher is not told');
    await ann.subscribeToVideo(benStream, true);
    const enabled = await ann.waitForEvent({ source: `subscriber:${benStream}`, name: 'videoEnabled' }, { from: mark });
    assert.equal(enabled.reason, 'subscribeToVideo');
    await waitForMediaFlow(ann, benStream, { ...SIZE, soakMs: 600 });
  });

  test(`${mediaMode}: publishVideo and publishAudio toggles reach subscribers with reasons; media stops and resumes`, async (t) => {
    const r = await room(t);
    const [ann, ben] = (await r.join(['Ann', 'Ben'])) as [MediaParticipant, MediaParticipant];
    const annStream = await ann.streamId();
    await waitForMediaFlow(ben, annStream, SIZE);
    const source = `subscriber:${annStream}`;

    let mark = await ben.eventCount();
    await ann.publishVideo(false);
    const changed = await ben.waitForEvent({ source: 'session', name: 'streamPropertyChanged', streamId: annStream }, { from: mark });
    assert.deepEqual([changed.changedProperty, changed.newValue, changed.reason], ['hasVideo', false, 'publishVideo']);
    assert.equal((await ben.waitForEvent({ source, name: 'videoDisabled' }, { from: mark })).reason, 'publishVideo');
    assert.ok((await mediaArriving(ben, annStream, 'video')) <= 3, 'video stopped');
    assert.ok((await mediaArriving(ben, annStream, 'audio', { settleMs: 0 })) > 20, 'audio went on');
    await ann.publishVideo(true);
    assert.equal((await ben.waitForEvent({ source, name: 'videoEnabled' }, { from: mark })).reason, 'publishVideo');
    await waitForMediaFlow(ben, annStream, { ...SIZE, soakMs: 600 });

    mark = await ben.eventCount();
    await ann.publishAudio(false);
    assert.equal((await ben.waitForEvent({ source, name: 'audioDisabled' }, { from: mark })).reason, 'publishAudio');
    const audioChange = await ben.waitForEvent({ source: 'session', name: 'streamPropertyChanged', changedProperty: 'hasAudio' }, { from: mark });
    assert.equal(audioChange.newValue, false);
    assert.ok((await mediaArriving(ben, annStream, 'audio')) <= 3, 'audio stopped');
    assert.ok((await mediaArriving(ben, annStream, 'video', { settleMs: 0 })) > 8, 'video went on');
    await ann.publishAudio(true);
    assert.equal((await ben.waitForEvent({ source, name: 'audioEnabled' }, { from: mark })).reason, 'publishAudio');
    assert.ok((await mediaArriving(ben, annStream, 'audio')) > 20, 'audio resumed');
    // The publisher's own subscribers hear nothing about it.
    assert.ok(!(await ann.events()).some((e) => e.source.startsWith('subscriber:') && e.name !== 'connected'));
  });

  test(`${mediaMode}: unpublish and disconnect end streams with the right reason`, async (t) => {
    const r = await room(t);
    const [ann, ben, cat] = (await r.join(['Ann', 'Ben', 'Cat'])) as [MediaParticipant, MediaParticipant, MediaParticipant];
    const annStream = await ann.streamId();
    const benStream = await ben.streamId();
    await waitForMediaFlow(cat, annStream, { ...SIZE, soakMs: 300 });

    await ann.unpublish();
    for (const p of [ben, cat]) {
      assert.equal((await p.waitForEvent({ source: 'session', name: 'streamDestroyed', streamId: annStream })).reason, 'unpublished');
      assert.equal((await p.waitForEvent({ source: `subscriber:${annStream}`, name: 'destroyed' })).reason, 'unpublished');
    }
    assert.equal((await ann.waitForEvent({ source: 'publisher', name: 'streamDestroyed', streamId: annStream })).reason, 'unpublished');

    await waitForMediaFlow(cat, benStream, { ...SIZE, soakMs: 300 });
    await ben.disconnect();
    const gone = await cat.waitForEvent({ source: 'session', name: 'streamDestroyed', streamId: benStream });
    assert.equal(gone.reason, 'clientDisconnected');
    assert.equal((await cat.waitForEvent({ source: `subscriber:${benStream}`, name: 'destroyed' })).reason, 'clientDisconnected');
    // Ann is still there and can publish again; Cat receives the new stream.
    await ann.publish();
    await waitForMediaFlow(cat, await ann.streamId(), { ...SIZE, soakMs: 300 });
  });

  test(`${mediaMode}: a custom canvas track publishes (videoType custom) and is received`, async (t) => {
    const r = await room(t);
    const [ann] = await r.join(['Ann'], { canvas: true });
    const [ben] = await r.join(['Ben'], { publish: false });
    const annStream = await (ann as MediaParticipant).streamId();
    const flow = await waitForMediaFlow(ben as MediaParticipant, annStream, { ...SIZE, audio: false });
    t.diagnostic(`canvas ${flow.framesPerSecond.toFixed(1)} fps`);
    const created = await (ben as MediaParticipant).waitForEvent({ source: 'session', name: 'streamCreated', streamId: annStream });
    assert.equal(created.videoType, 'custom');
  });

  extra?.({ browser: () => browser, room });
}

/** One session on a fresh server, and the participants that joined it. */
export class Room {
  readonly h: TestServer;
  readonly sessionId: string;
  readonly #browser: Browser;

  constructor(h: TestServer, browser: Browser, sessionId: string, t: TestContext) {
    this.h = h;
    this.#browser = browser;
    this.sessionId = sessionId;
    this.participants = [];
    t.after(async () => {
      for (const p of this.participants) {
        await p.close();
      }
    });
  }

  readonly participants: MediaParticipant[];

  /** Joins one participant per name, one after the other (each publishing unless told otherwise). */
  async join(names: string[], options: Partial<MediaParticipantOptions> = {}): Promise<MediaParticipant[]> {
    const joined: MediaParticipant[] = [];
    for (const name of names) {
      const token = this.h.token(this.sessionId, { role: 'publisher', data: `name=${name}` });
      const participant = await MediaParticipant.join(
        this.#browser,
        `${this.h.url}/test-page`,
        { apiKey: this.h.apiKey, sessionId: this.sessionId, token },
        { resolution: '320x240', frameRate: 20, ...options, name },
      );
      this.participants.push(participant);
      joined.push(participant);
    }
    return joined;
  }
}
