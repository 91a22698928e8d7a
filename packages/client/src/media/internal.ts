/**
 * Key of the SDK-internal half of a `Publisher` or `Subscriber` (peer connections, negotiation), so
 * the stream manager can reach it without it showing up as public API.
 */
export const INTERNAL: unique symbol = Symbol('vigil.internal');

