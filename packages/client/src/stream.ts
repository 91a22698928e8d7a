import type { StreamInfo, VideoDimensions, VideoType } from '@vigil/protocol';
import type { Connection } from './connection.js';

/** A published stream, as OpenTok's `Stream`: who publishes it, what it carries, and its name. */
export class Stream {
  readonly streamId: string;
  /** The publisher's connection id. */
  readonly connectionId: string;
  /** The publisher's connection, when this client knows it. */
  readonly connection: Connection | undefined;
  readonly name: string;
  readonly videoType: VideoType;
  readonly creationTime: number;
  hasAudio: boolean;
  hasVideo: boolean;
  videoDimensions: VideoDimensions | undefined;
  layoutClassList: string[];

  constructor(info: StreamInfo, connection: Connection | undefined) {
    this.streamId = info.id;
    this.connectionId = info.connectionId;
    this.connection = connection;
    this.name = info.name;
    this.videoType = info.videoType;
    this.creationTime = info.creationTime;
    this.hasAudio = info.hasAudio;
    this.hasVideo = info.hasVideo;
    this.videoDimensions = info.videoDimensions ? { ...info.videoDimensions } : undefined;
    this.layoutClassList = [...info.layoutClassList];
  }

  /** Same as `streamId`. */
  get id(): string {
    return this.streamId;
  }
}
