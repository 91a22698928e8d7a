import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * What a subscriber's node asks of a publisher's node in a relayed session spread over nodes
 * (`relay` bus frames, docs/scale-out.md). The publisher's node keeps the subscription so it can check
 * and route the publisher's offers and candidates, and tells its publisher `subscriptionCreated` or
 * `subscriptionDestroyed`. Everything else (answers, candidates, `subscriptionChanged`) goes straight
 * to the publisher's client as a `direct` frame, checked by the subscriber's node.
 */
const Id = Type.String({ minLength: 1, maxLength: 64 });

export const RelayOp = Type.Union([
  Type.Object({
    op: Type.Literal('subscribe'),
    streamId: Id,
    subscriptionId: Id,
    subscriberId: Id,
    subscribeToAudio: Type.Boolean(),
    subscribeToVideo: Type.Boolean(),
  }),
  Type.Object({ op: Type.Literal('unsubscribe'), streamId: Id, subscriptionId: Id, subscriberId: Id }),
]);
export type RelayOp = Static<typeof RelayOp>;

const check = TypeCompiler.Compile(RelayOp);

/** Undefined for anything malformed: another program on the same Redis must not crash a node. */
export function parseRelayOp(payload: string): RelayOp | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return check.Check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
