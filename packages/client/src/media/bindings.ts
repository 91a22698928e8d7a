import type { IceServer, MediaMode, VideoDimensions } from '@vigil/protocol';
import type { Publisher } from '../publisher.js';
import type { SubscriberBinding } from '../subscriber.js';
import { INTERNAL } from './internal.js';
import type { PublisherBinding } from './publisher-core.js';

/** The two ways to the server a binding needs (the session's request and fire-and-forget send). */
export interface RequestPort {
  request(body: Record<string, unknown>): Promise<void>;
  send(body: Record<string, unknown>): void;
}

function withSubscription(body: Record<string, unknown>, subscriptionId: string | undefined): Record<string, unknown> {
  return subscriptionId === undefined ? body : { ...body, subscriptionId };
}

/** What a publisher says and sends, as the protocol messages for stream `streamId`. */
export function publisherBinding(
  port: RequestPort,
  init: { mediaMode: MediaMode; iceServers: IceServer[]; streamId: string; unpublish: PublisherBinding['unpublish'] },
): PublisherBinding {
  const { streamId } = init;
  return {
    mediaMode: init.mediaMode,
    iceServers: init.iceServers,
    streamId,
    sdp: (subscriptionId, sdpType, sdp) => port.request(withSubscription({ type: 'sdp', streamId, sdpType, sdp }, subscriptionId)),
    ice: (subscriptionId, candidate) => port.send(withSubscription({ type: 'ice', streamId, candidate }, subscriptionId)),
    update: (change) => port.request({ type: 'updateStream', streamId, ...change }),
    unpublish: init.unpublish,
  };
}

/** The `publish` request for a publisher whose media is open. */
export function publishRequest(publisher: Publisher, streamId: string): Record<string, unknown> {
  const core = publisher[INTERNAL];
  const body: Record<string, unknown> = {
    type: 'publish',
    streamId,
    name: publisher.name,
    videoType: publisher.videoType,
    hasAudio: publisher.hasAudio && core.sending.audio,
    hasVideo: publisher.hasVideo && core.sending.video,
  };
  const dimensions: VideoDimensions | undefined = publisher.videoDimensions();
  if (dimensions) {
    body['videoDimensions'] = dimensions;
  }
  return body;
}

/** What a subscriber says and sends, as the protocol messages for one subscription. */
export function subscriberBinding(port: RequestPort, ids: { streamId: string; subscriptionId: string }, iceServers: IceServer[]): SubscriberBinding {
  return {
    iceServers,
    sdp: (sdpType, sdp) => port.request({ type: 'sdp', ...ids, sdpType, sdp }),
    ice: (candidate) => port.send({ type: 'ice', ...ids, candidate }),
    update: (change) => port.request({ type: 'updateSubscription', ...ids, ...change }),
    unsubscribe: () => port.request({ type: 'unsubscribe', ...ids }),
  };
}
