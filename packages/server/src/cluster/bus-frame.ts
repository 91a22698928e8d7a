import { isDisconnectReason, type DisconnectReason } from '@vigil/protocol';

/**
 * What nodes tell each other on a session's channel. The payload is a client frame, already encoded
 * once by the sending node; receiving nodes write the same bytes to their own members, so a signal
 * costs one `PUBLISH` whatever the number of recipients.
 */
export type BusFrame =
  /**
   * For every member of the session on the receiving node, except `except`. `member`: the payload is a
   * presence frame (`connectionCreated`/`Destroyed`/`StateChanged`) that receiving nodes also apply to
   * their view of the session's remote members. `stream`: the payload is a stream event
   * (`streamCreated`/`Destroyed`/`PropertyChanged`) that receiving nodes apply to their view of its streams.
   */
  | { kind: 'broadcast'; node: string; except: string; droppable: boolean; member: boolean; stream?: boolean; payload: string }
  /** For one connection, on whichever node holds it. */
  | { kind: 'direct'; node: string; to: string; droppable: boolean; payload: string }
  /** Remove one connection (a moderator's or the app server's `forceDisconnect`). */
  | { kind: 'kick'; node: string; to: string; reason: DisconnectReason }
  /** `node` asks the holder of `to` to hand it over (its client resumed there); `payload` is the resume token. */
  | { kind: 'handoff'; node: string; to: string; request: string; payload: string }
  /** The holder's answer: `payload` is the connection's state (`handoff.ts`), or a refusal's error code. */
  | { kind: 'handed'; node: string; to: string; request: string; payload: string }
  | { kind: 'refused'; node: string; to: string; request: string; payload: string }
  /** A client that rejoined elsewhere names its old connection: its holder ends it if the resume token (`payload`) matches. */
  | { kind: 'release'; node: string; to: string; request: string; payload: string }
  /** For the node holding `to`, not its client: a subscriber elsewhere subscribes to or leaves one of its streams (`relay-ops.ts`). */
  | { kind: 'relay'; node: string; to: string; payload: string };

const KINDS = { broadcast: 'B', direct: 'D', kick: 'K', handoff: 'H', handed: 'T', refused: 'R', release: 'L', relay: 'Y' } as const;

/** `<kind> <node> <id> <flag>\n<payload>`: a header that never needs escaping (ids are `[A-Za-z0-9_-]`). */
export function encodeBusFrame(frame: BusFrame): string {
  switch (frame.kind) {
    case 'broadcast':
      return `${KINDS.broadcast} ${frame.node} ${frame.except || '-'} ${frame.member ? 'm' : frame.stream ? 's' : frame.droppable ? 'd' : '-'}\n${frame.payload}`;
    case 'direct':
      return `${KINDS.direct} ${frame.node} ${frame.to} ${frame.droppable ? 'd' : '-'}\n${frame.payload}`;
    case 'relay':
      return `${KINDS.relay} ${frame.node} ${frame.to} -\n${frame.payload}`;
    case 'kick':
      return `${KINDS.kick} ${frame.node} ${frame.to} ${frame.reason}\n`;
    case 'handoff':
    case 'handed':
    case 'refused':
    case 'release':
      return `${KINDS[frame.kind]} ${frame.node} ${frame.to} ${frame.request}\n${frame.payload}`;
  }
}

/** Undefined for anything malformed: another program on the same Redis must not crash a node. */
export function decodeBusFrame(text: string): BusFrame | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) {
    return undefined;
  }
  const [kind, node, id, flag] = text.slice(0, newline).split(' ');
  const payload = text.slice(newline + 1);
  if (!node || !id || flag === undefined) {
    return undefined;
  }
  switch (kind) {
    case KINDS.broadcast:
      return { kind: 'broadcast', node, except: id === '-' ? '' : id, droppable: flag === 'd', member: flag === 'm', stream: flag === 's', payload };
    case KINDS.direct:
      return { kind: 'direct', node, to: id, droppable: flag === 'd', payload };
    case KINDS.relay:
      return { kind: 'relay', node, to: id, payload };
    case KINDS.kick:
      return isDisconnectReason(flag) ? { kind: 'kick', node, to: id, reason: flag } : undefined;
    case KINDS.handoff:
      return { kind: 'handoff', node, to: id, request: flag, payload };
    case KINDS.handed:
      return { kind: 'handed', node, to: id, request: flag, payload };
    case KINDS.refused:
      return { kind: 'refused', node, to: id, request: flag, payload };
    case KINDS.release:
      return { kind: 'release', node, to: id, request: flag, payload };
    default:
      return undefined;
  }
}
