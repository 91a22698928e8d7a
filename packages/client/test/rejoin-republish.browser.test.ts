import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { MediaMode } from '@vigil/protocol';
import {
  MediaParticipant,
  browserClientHandler,
  launchChromium,
  processTreeByMarker,
  signalProcesses,
  startTestServer,
  waitForMediaFlow,
  type PageMediaEvent,
  type TestServer,
} from '@vigil/test-kit';

// Lifecycle rule 7 with real media: a participant's whole browser is stopped (SIGSTOP) past the grace
// and continued. It rejoins by itself with a new connection; a publisher is published again as a new
// stream that peers receive, and a subscriber's Subscriber objects are kept and fed again (OpenTok
// keeps an app's subscribers across a reconnection) as long as the stream they show still exists.
// One browser per participant, so stopping one stops nothing of the other.

const timers = { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1_000, networkGraceMs: 3_000, suspendGraceMs: 3_000 };
const SIZE = { width: 320, height: 240 };
/** A desktop browser's user agent: the page runs the lifecycle engine (desktop policy keeps the camera when hidden). */
const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** Page events, with the extra session events this test records next to the media page's own. */
type Event = PageMediaEvent & { connectionId?: string; state?: string; rejoined?: boolean; previousConnectionId?: string };

interface Participant {
  p: MediaParticipant;
  /** Every process of this participant's browser, looked up now (renderers come and go). */
  pids(): number[];
}

async function setup(t: TestContext, mediaMode: MediaMode): Promise<{ h: TestServer; sessionId: string; join(name: string, publish: boolean): Promise<Participant> }> {
  const h = await startTestServer(t, { timers, httpHandler: browserClientHandler() });
  const sessionId = h.newSessionId(mediaMode);
  const join = async (name: string, publish: boolean): Promise<Participant> => {
    const tag = randomUUID();
    const browser = await launchChromium({ tag });
    const pids = (): number[] => processTreeByMarker(tag);
    t.after(async () => {
      signalProcesses(pids(), 'SIGCONT');
      await browser.close();
    });
    const token = h.token(sessionId, { role: 'publisher', data: `name=${name}` });
    const p = await MediaParticipant.join(browser, `${h.url}/test-page`, { apiKey: h.apiKey, sessionId, token }, { name, publish, userAgent: DESKTOP, resolution: '320x240', frameRate: 20 });
    await p.page.evaluate(() => {
      const api = (window as unknown as { __vigil: { session: import('@vigil/client').Session; events: Event[] } }).__vigil;
      const { session, events } = api;
      session.on('connectionCreated', ({ connection }) => events.push({ source: 'session', name: 'connectionCreated', connectionId: connection.connectionId }));
      session.on('connectionDestroyed', ({ connection, reason }) => events.push({ source: 'session', name: 'connectionDestroyed', connectionId: connection.connectionId, reason }));
      session.on('connectionStateChanged', ({ connection, state, reason }) => events.push({ source: 'session', name: 'connectionStateChanged', connectionId: connection.connectionId, state, reason }));
      session.on('sessionReconnecting', () => events.push({ source: 'session', name: 'sessionReconnecting' }));
      session.on('sessionReconnected', ({ rejoined, previousConnectionId }) => {
        const event: Event = { source: 'session', name: 'sessionReconnected', rejoined, connectionId: session.connection?.connectionId ?? '' };
        if (previousConnectionId !== undefined) {
          event.previousConnectionId = previousConnectionId;
        }
        events.push(event);
      });
    });
    return { p, pids };
  };
  return { h, sessionId, join };
}

async function events(p: MediaParticipant, from = 0): Promise<Event[]> {
  return (await p.events(from)) as Event[];
}

function matches(event: Event, match: Partial<Event>): boolean {
  return Object.entries(match).every(([key, value]) => event[key as keyof Event] === value);
}

/** Polls `p`'s events from index `from` (every 100 ms, up to `timeoutMs`) for one that matches. */
async function waitFor(p: MediaParticipant, match: Partial<Event>, from: number, timeoutMs = 15_000): Promise<Event> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await events(p, from);
    const found = seen.find((e) => matches(e, match));
    if (found) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(`${p.name}: no ${JSON.stringify(match)} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function count(p: MediaParticipant, match: Partial<Event>, from = 0): Promise<number> {
  return (await events(p, from)).filter((e) => matches(e, match)).length;
}

/** Makes the page look hidden (the lifecycle engine announces `background`). */
async function hide(p: MediaParticipant): Promise<void> {
  await p.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/** The ids of a page's subscribers (its app's Subscriber objects), by stream id. */
async function subscriberIds(p: MediaParticipant): Promise<Record<string, string>> {
  return p.page.evaluate(() => {
    const api = (window as unknown as { __vigil: { subscribers: Map<string, { id: string }> } }).__vigil;
    return Object.fromEntries([...api.subscribers].map(([streamId, subscriber]) => [streamId, subscriber.id]));
  });
}

/**
 * Stops `who`'s browser until `watcher` has seen its connection destroyed (past the grace), then
 * continues it. Returns the destroy event and where `watcher`'s events stood before the stop.
 */
async function stopPastGrace(who: Participant, watcher: MediaParticipant, oldConnectionId: string): Promise<{ gone: Event; mark: number }> {
  const mark = await watcher.eventCount();
  const pids = who.pids();
  assert.ok(pids.length >= 3, `the browser's processes (${pids.length})`);
  signalProcesses(pids, 'SIGSTOP');
  try {
    const gone = await waitFor(watcher, { name: 'connectionDestroyed', connectionId: oldConnectionId }, mark, 15_000);
    return { gone, mark };
  } finally {
    signalProcesses(pids, 'SIGCONT');
  }
}

function publisherRejoins(mediaMode: MediaMode, announced: boolean): void {
  const reason = announced ? 'suspended' : 'networkDisconnected';
  test(`${mediaMode}: a publisher stopped past the grace${announced ? ' after going to the background' : ''} rejoins and publishes again; its peer sees one destroy (${reason}) and receives the new stream`, async (t) => {
    const { join } = await setup(t, mediaMode);
    const ann = await join('Ann', true);
    const ben = await join('Ben', false);
    const oldStream = await ann.p.streamId();
    const oldConnection = await ann.p.connectionId();
    assert.ok(oldStream && oldConnection);
    await waitForMediaFlow(ben.p, oldStream, { ...SIZE, soakMs: 600 });
    if (announced) {
      const mark = await ben.p.eventCount();
      await hide(ann.p);
      await waitFor(ben.p, { name: 'connectionStateChanged', connectionId: oldConnection, state: 'background' }, mark, 5_000);
    }
    const annMark = await ann.p.eventCount();

    const { gone, mark } = await stopPastGrace(ann, ben.p, oldConnection);
    assert.equal(gone.reason, reason);
    const streamGone = await waitFor(ben.p, { source: 'session', name: 'streamDestroyed', streamId: oldStream }, mark, 5_000);
    assert.equal(streamGone.reason, reason);
    assert.equal((await waitFor(ben.p, { source: `subscriber:${oldStream}`, name: 'destroyed' }, mark, 5_000)).reason, reason);

    // Ann comes back by herself with a new connection, and publishes the same publisher again.
    const reconnected = await waitFor(ann.p, { name: 'sessionReconnected' }, annMark);
    assert.equal(reconnected.rejoined, true);
    assert.equal(reconnected.previousConnectionId, oldConnection);
    const newConnection = await ann.p.connectionId();
    assert.ok(newConnection && newConnection !== oldConnection, 'a new connection id');
    assert.equal(reconnected.connectionId, newConnection);
    // Her publisher's old stream ends with the reason everyone else saw.
    assert.equal((await waitFor(ann.p, { source: 'publisher', name: 'streamDestroyed', streamId: oldStream }, annMark)).reason, reason);
    const republished = await waitFor(ann.p, { source: 'publisher', name: 'streamCreated' }, annMark);
    const newStream = republished.streamId as string;
    assert.notEqual(newStream, oldStream);
    assert.equal(await ann.p.streamId(), newStream);

    // Ben sees the new connection and the new stream, subscribes in its listener, and frames flow.
    await waitFor(ben.p, { name: 'connectionCreated', connectionId: newConnection }, mark);
    const created = await waitFor(ben.p, { source: 'session', name: 'streamCreated', streamId: newStream }, mark);
    assert.equal(created.streamName, 'Ann');
    assert.equal(created.videoType, 'camera');
    const flow = await waitForMediaFlow(ben.p, newStream, { ...SIZE, soakMs: 1_000, timeoutMs: 15_000 });
    t.diagnostic(`after the rejoin: ${flow.framesPerSecond.toFixed(1)} fps, ${flow.audioPacketsPerSecond.toFixed(0)} audio packets/s`);

    // The republished publisher is under the lifecycle engine again: a call stops its audio, with the reason.
    const callMark = await ben.p.eventCount();
    await ann.p.lifecycleInput({ type: 'audioInterruptionBegan', reason: 'call' });
    const muted = await waitFor(ben.p, { source: 'session', name: 'streamPropertyChanged', streamId: newStream, changedProperty: 'hasAudio' }, callMark, 5_000);
    assert.deepEqual([muted.newValue, muted.reason], [false, 'interrupted']);
    await ann.p.lifecycleInput({ type: 'audioInterruptionEnded' });
    const back = await waitFor(ben.p, { source: 'session', name: 'streamPropertyChanged', streamId: newStream, changedProperty: 'hasAudio', newValue: true }, callMark, 5_000);
    assert.equal(back.newValue, true);

    // Exactly once, and nothing else ended.
    assert.equal(await count(ben.p, { name: 'connectionDestroyed' }, mark), 1, 'one connectionDestroyed');
    assert.equal(await count(ben.p, { source: 'session', name: 'streamDestroyed' }, mark), 1, 'one streamDestroyed');
    assert.equal(await count(ben.p, { source: 'session', name: 'streamCreated' }, mark), 1, 'one streamCreated');
    assert.equal(await count(ann.p, { name: 'sessionDisconnected' }), 0);
    assert.equal(await count(ann.p, { name: 'sessionReconnected' }, annMark), 1);
    assert.equal(await count(ann.p, { source: 'publisher', name: 'streamCreated' }, annMark), 1, 'published once again');
    assert.equal(await count(ann.p, { source: 'publisher', name: 'error' }), 0, 'no publisher error');
    assert.equal(await count(ben.p, { source: `subscriber:${newStream}`, name: 'error' }), 0, 'no subscriber error');
  });
}

function subscriberRejoins(mediaMode: MediaMode): void {
  test(`${mediaMode}: a subscriber stopped past the grace rejoins; its Subscriber for a stream that is still there is kept and receives again`, async (t) => {
    const { join } = await setup(t, mediaMode);
    const ann = await join('Ann', true);
    const ben = await join('Ben', false);
    const stream = await ann.p.streamId();
    const benConnection = await ben.p.connectionId();
    await waitForMediaFlow(ben.p, stream, { ...SIZE, soakMs: 600 });
    const before = await subscriberIds(ben.p);
    assert.ok(before[stream], 'Ben subscribes to Ann');
    const benMark = await ben.p.eventCount();

    const { gone, mark } = await stopPastGrace(ben, ann.p, benConnection);
    assert.equal(gone.reason, 'networkDisconnected');

    const reconnected = await waitFor(ben.p, { name: 'sessionReconnected' }, benMark);
    assert.equal(reconnected.rejoined, true);
    assert.equal(reconnected.previousConnectionId, benConnection);
    const newConnection = await ben.p.connectionId();
    assert.ok(newConnection && newConnection !== benConnection, 'a new connection id');
    await waitFor(ann.p, { name: 'connectionCreated', connectionId: newConnection }, mark);

    // The same Subscriber, connected again on a new media connection; frames flow into it.
    await waitFor(ben.p, { source: `subscriber:${stream}`, name: 'connected' }, benMark);
    const flow = await waitForMediaFlow(ben.p, stream, { ...SIZE, soakMs: 1_000, timeoutMs: 15_000 });
    t.diagnostic(`after the rejoin: ${flow.framesPerSecond.toFixed(1)} fps, ${flow.audioPacketsPerSecond.toFixed(0)} audio packets/s`);
    assert.deepEqual(await subscriberIds(ben.p), before, 'the app keeps its Subscriber');
    const kept = await ben.p.page.evaluate((streamId) => {
      const api = (window as unknown as { __vigil: { session: import('@vigil/client').Session; subscribers: Map<string, import('@vigil/client').Subscriber> } }).__vigil;
      const s = api.session.streams.find((x) => x.streamId === streamId);
      return s ? api.session.getSubscribersForStream(s).map((x) => x === api.subscribers.get(streamId)) : [];
    }, stream);
    assert.deepEqual(kept, [true], 'the session still knows that Subscriber, and only it');

    // The stream went on: Ben is told nothing about it ending or starting; Ann's stream is untouched.
    assert.equal(await count(ben.p, { streamId: stream, name: 'streamDestroyed' }, benMark), 0);
    assert.equal(await count(ben.p, { streamId: stream, name: 'streamCreated' }, benMark), 0);
    assert.equal(await count(ben.p, { source: `subscriber:${stream}`, name: 'destroyed' }), 0);
    assert.equal(await count(ben.p, { source: `subscriber:${stream}`, name: 'error' }, benMark), 0, 'no subscriber error');
    assert.equal(await count(ben.p, { name: 'sessionDisconnected' }), 0);
    assert.equal(await count(ann.p, { name: 'streamDestroyed' }), 0);
    assert.equal(await count(ann.p, { name: 'connectionDestroyed' }, mark), 1);
    assert.equal(await ann.p.streamId(), stream);
  });
}

function bothRejoin(mediaMode: MediaMode): void {
  test(`${mediaMode}: a participant that publishes and subscribes rejoins after the grace: its stream is published anew and its Subscriber receives again`, async (t) => {
    const { join } = await setup(t, mediaMode);
    const ann = await join('Ann', true);
    const ben = await join('Ben', true);
    const [oldStream, benStream] = [await ann.p.streamId(), await ben.p.streamId()];
    const oldConnection = await ann.p.connectionId();
    await waitForMediaFlow(ben.p, oldStream, { ...SIZE, soakMs: 600 });
    await waitForMediaFlow(ann.p, benStream, { ...SIZE, soakMs: 600 });
    const annSubscribers = await subscriberIds(ann.p);
    const annMark = await ann.p.eventCount();

    const { gone, mark } = await stopPastGrace(ann, ben.p, oldConnection);
    assert.equal(gone.reason, 'networkDisconnected');
    const reconnected = await waitFor(ann.p, { name: 'sessionReconnected' }, annMark);
    assert.deepEqual([reconnected.rejoined, reconnected.previousConnectionId], [true, oldConnection]);
    const newStream = (await waitFor(ann.p, { source: 'publisher', name: 'streamCreated' }, annMark)).streamId as string;
    await waitFor(ben.p, { source: 'session', name: 'streamCreated', streamId: newStream }, mark);
    await waitFor(ann.p, { source: `subscriber:${benStream}`, name: 'connected' }, annMark);
    const [toBen, toAnn] = [await waitForMediaFlow(ben.p, newStream, { ...SIZE, timeoutMs: 15_000 }), await waitForMediaFlow(ann.p, benStream, { ...SIZE, timeoutMs: 15_000 })];
    t.diagnostic(`after the rejoin: Ann→Ben ${toBen.framesPerSecond.toFixed(1)} fps, Ben→Ann ${toAnn.framesPerSecond.toFixed(1)} fps`);

    assert.deepEqual(await subscriberIds(ann.p), annSubscribers, "Ann keeps her Subscriber to Ben's stream");
    assert.equal(await count(ann.p, { name: 'streamCreated', streamId: benStream }, annMark), 0, "Ben's stream is not announced again");
    assert.equal(await count(ann.p, { name: 'destroyed', source: `subscriber:${benStream}` }), 0);
    assert.equal(await count(ben.p, { name: 'connectionDestroyed' }, mark), 1);
    assert.equal(await count(ben.p, { source: 'session', name: 'streamDestroyed' }, mark), 1);
    assert.equal(await count(ben.p, { source: 'publisher', name: 'streamDestroyed' }), 0, "Ben's stream went on");
    assert.equal(await ben.p.streamId(), benStream);
  });
}

publisherRejoins('relayed', false);
publisherRejoins('relayed', true);
subscriberRejoins('relayed');
bothRejoin('relayed');
publisherRejoins('routed', false);
subscriberRejoins('routed');
