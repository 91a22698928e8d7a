import { randomId, type StreamInfo, type VideoDimensions, type VideoType } from '@vigil/protocol';
import type { Connection } from '../connection.js';

/** One subscriber's view of one stream. */
export interface Subscription {
  /** The client's id for it (unique within the stream). */
  readonly id: string;
  readonly stream: ServerStream;
  readonly subscriber: Connection;
  /** The media engine's id for the leg (routed); unique across the server. */
  readonly engineId: string;
  subscribeToAudio: boolean;
  subscribeToVideo: boolean;
}

/**
 * A published stream. Relayed streams are announced at once; routed ones once the forwarding unit
 * has answered the publisher's offer (`live`), so nobody subscribes to media that is not there yet.
 */
export class ServerStream {
  readonly id: string;
  readonly publisher: Connection;
  readonly name: string;
  readonly videoType: VideoType;
  readonly creationTime: number;
  /** The media engine's id for the publisher (routed); unique across the server. */
  readonly engineId = randomId();
  hasAudio: boolean;
  hasVideo: boolean;
  videoDimensions: VideoDimensions | undefined;
  /** OpenTok's layout classes; replaced as a whole by the app server's `setStreamClassLists`. */
  layoutClassList: string[] = [];
  live = false;
  /** Routed: the publisher's offer was accepted; a second one is refused (no renegotiation). */
  negotiated = false;
  readonly subscriptions = new Map<string, Subscription>();
  /** Relayed sessions on several nodes: subscription id → subscriber held by another node (`cross-node-streams.ts`). */
  readonly remoteSubscribers = new Map<string, string>();

  constructor(init: {
    id: string;
    publisher: Connection;
    name: string;
    videoType: VideoType;
    hasAudio: boolean;
    hasVideo: boolean;
    videoDimensions: VideoDimensions | undefined;
    nowMs: number;
  }) {
    this.id = init.id;
    this.publisher = init.publisher;
    this.name = init.name;
    this.videoType = init.videoType;
    this.hasAudio = init.hasAudio;
    this.hasVideo = init.hasVideo;
    this.videoDimensions = init.videoDimensions;
    this.creationTime = init.nowMs;
    // OpenTok: the publisher's token may name the classes its streams start with.
    this.layoutClassList = [...init.publisher.initialLayoutClassList];
  }

  info(): StreamInfo {
    const info: StreamInfo = {
      id: this.id,
      connectionId: this.publisher.id,
      name: this.name,
      videoType: this.videoType,
      hasAudio: this.hasAudio,
      hasVideo: this.hasVideo,
      layoutClassList: [...this.layoutClassList],
      creationTime: this.creationTime,
    };
    if (this.videoDimensions) {
      info.videoDimensions = { ...this.videoDimensions };
    }
    return info;
  }
}
