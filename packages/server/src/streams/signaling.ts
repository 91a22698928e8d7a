import { VigilError, checkSdp, type IceMessage, type SdpMessage } from '@vigil/protocol';
import type { Connection } from '../connection.js';
import type { StreamService } from './stream-service.js';

/**
 * Offers, answers and candidates. Relayed: passed between the publisher and one subscriber, after a
 * structural check, and nothing else. Routed: the publisher's own connection (no subscription id)
 * and each subscriber leg are negotiated with the media engine. Who may send what is fixed: the
 * offer of a subscription comes from the publisher side, the answer from the subscriber.
 */
export function handleSdp(service: StreamService, connection: Connection, message: SdpMessage): void {
  checkSdp(message.sdp);
  const session = service.session(connection);
  const stream = session.streams.get(message.streamId);
  const { messaging } = service;
  const remote = stream || message.subscriptionId === undefined ? undefined : service.crossNode.find(connection, message.streamId, message.subscriptionId);
  if (remote) {
    // A subscriber here, its publisher on another node (relayed): the answer goes to that node's client.
    if (message.sdpType !== 'answer') {
      throw new VigilError('SDP_INVALID', 'The publisher offers and the subscriber answers.');
    }
    messaging.ack(connection, message.id);
    service.crossNode.toPublisher(session, remote, { type: 'sdp', streamId: remote.streamId, subscriptionId: remote.id, sdpType: 'answer', sdp: message.sdp });
    return;
  }
  if (!stream || (!stream.live && stream.publisher !== connection)) {
    throw new VigilError('STREAM_NOT_FOUND');
  }
  if (message.subscriptionId === undefined) {
    if (session.mediaMode === 'relayed') {
      throw new VigilError('REQUEST_INVALID', 'In a relayed session offers and answers name a subscription.');
    }
    if (stream.publisher !== connection) {
      throw new VigilError('NOT_PERMITTED', 'Only its publisher sends a stream to the server.');
    }
    if (message.sdpType !== 'offer') {
      throw new VigilError('SDP_INVALID', 'A publisher starts its connection to the server with an offer.');
    }
    if (stream.negotiated) {
      throw new VigilError('SDP_INVALID', 'This stream is already connected; unpublish and publish again to change it.');
    }
    stream.negotiated = true;
    messaging.run(
      connection,
      message.id,
      async () => {
        const answer = await service.engineCall(() => service.engine.publish(stream.engineId, message.sdp));
        if (session.streams.get(stream.id) !== stream) {
          throw new VigilError('STREAM_NOT_FOUND');
        }
        messaging.ack(connection, message.id);
        messaging.send(connection, { type: 'sdp', streamId: stream.id, sdpType: 'answer', sdp: answer });
        service.goLive(session, stream);
      },
      () => {
        if (session.streams.get(stream.id) === stream) {
          // Free whatever the engine set up, and let the publisher try again.
          service.engine.unpublish(stream.engineId);
          stream.negotiated = false;
        }
      },
    );
    return;
  }
  const subscription = stream.subscriptions.get(message.subscriptionId);
  const fromPublisher = stream.publisher === connection;
  const fromSubscriber = subscription?.subscriber === connection;
  const remoteSubscriber = fromPublisher ? stream.remoteSubscribers.get(message.subscriptionId) : undefined;
  if (remoteSubscriber !== undefined && session.mediaMode === 'relayed') {
    if (message.sdpType !== 'offer') {
      throw new VigilError('SDP_INVALID', 'The publisher offers and the subscriber answers.');
    }
    messaging.ack(connection, message.id);
    service.crossNode.toSubscriber(session, remoteSubscriber, { type: 'sdp', streamId: stream.id, subscriptionId: message.subscriptionId, sdpType: 'offer', sdp: message.sdp });
    return;
  }
  if (!subscription || (!fromPublisher && !fromSubscriber)) {
    throw new VigilError('SUBSCRIPTION_NOT_FOUND');
  }
  const delivery = { type: 'sdp', streamId: stream.id, subscriptionId: subscription.id, sdpType: message.sdpType, sdp: message.sdp } as const;
  if (session.mediaMode === 'relayed') {
    if (message.sdpType === 'offer' ? !fromPublisher : !fromSubscriber) {
      throw new VigilError('SDP_INVALID', 'The publisher offers and the subscriber answers.');
    }
    messaging.ack(connection, message.id);
    messaging.send(fromPublisher ? subscription.subscriber : stream.publisher, delivery);
    return;
  }
  if (!fromSubscriber || message.sdpType !== 'answer') {
    throw new VigilError('SDP_INVALID', 'In a routed session the server offers and the subscriber answers.');
  }
  messaging.run(connection, message.id, async () => {
    await service.engineCall(() => service.engine.answer(subscription.engineId, message.sdp));
    messaging.ack(connection, message.id);
  });
}

/**
 * A trickled candidate. Candidates for a stream or subscription that has just gone are dropped
 * without an error: they cross the `streamDestroyed` on the wire all the time.
 */
export function handleIce(service: StreamService, connection: Connection, message: IceMessage): void {
  const session = service.session(connection);
  const stream = session.streams.get(message.streamId);
  const { messaging } = service;
  const remote = stream || message.subscriptionId === undefined ? undefined : service.crossNode.find(connection, message.streamId, message.subscriptionId);
  const remoteSubscriber = stream && message.subscriptionId !== undefined && stream.publisher === connection ? stream.remoteSubscribers.get(message.subscriptionId) : undefined;
  if (remote) {
    service.crossNode.toPublisher(session, remote, { type: 'ice', streamId: remote.streamId, subscriptionId: remote.id, candidate: message.candidate });
  } else if (stream && remoteSubscriber !== undefined) {
    service.crossNode.toSubscriber(session, remoteSubscriber, { type: 'ice', streamId: stream.id, subscriptionId: message.subscriptionId as string, candidate: message.candidate });
  } else if (stream && message.subscriptionId === undefined) {
    if (session.mediaMode === 'routed' && stream.publisher === connection && stream.negotiated && message.candidate.candidate !== '') {
      service.engine.addIceCandidate(stream.engineId, message.candidate).catch((err: unknown) => {
        service.log.debug('publisher candidate refused', { connection: connection.id, error: String(err) });
      });
    }
  } else if (stream && message.subscriptionId !== undefined) {
    const subscription = stream.subscriptions.get(message.subscriptionId);
    const fromPublisher = stream.publisher === connection;
    const fromSubscriber = subscription?.subscriber === connection;
    if (subscription && session.mediaMode === 'relayed' && (fromPublisher || fromSubscriber)) {
      const delivery = { type: 'ice', streamId: stream.id, subscriptionId: subscription.id, candidate: message.candidate } as const;
      messaging.send(fromPublisher ? subscription.subscriber : stream.publisher, delivery);
    } else if (subscription && fromSubscriber && message.candidate.candidate !== '') {
      service.engine.addIceCandidate(subscription.engineId, message.candidate).catch((err: unknown) => {
        service.log.debug('subscriber candidate refused', { connection: connection.id, error: String(err) });
      });
    }
  }
  messaging.ack(connection, message.id);
}
