import { RTCPeerConnection, useOPUS, useVP8, type RTCIceServer } from 'werift';

/** Where the werift engine's peer connections gather candidates. */
export interface WeriftNetworkOptions {
  /** STUN/TURN for the server's own candidates; default none (host candidates only). */
  iceServers?: RTCIceServer[];
  /**
   * Extra host addresses to offer, e.g. loopback, which werift leaves out by default. Default
   * `['127.0.0.1']`, so clients on the same machine (tests, a laptop demo) connect.
   */
  additionalHostAddresses?: string[];
  /** UDP port range for ICE, e.g. `[40000, 40999]` behind a firewall. */
  portRange?: [number, number];
}

const GATHER_DEADLINE_MS = 5_000;

/**
 * A werift peer connection for forwarding: Opus and VP8 with NACK, PLI and REMB feedback (werift's
 * defaults for VP8), IPv4 only, and no public STUN server (werift's default would reach out to Google).
 */
export function createForwardingPeer(options: WeriftNetworkOptions): RTCPeerConnection {
  const config: ConstructorParameters<typeof RTCPeerConnection>[0] = {
    codecs: { audio: [useOPUS()], video: [useVP8()] },
    iceServers: options.iceServers ?? [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: options.additionalHostAddresses ?? ['127.0.0.1'],
    bundlePolicy: 'max-bundle',
  };
  if (options.portRange) {
    config.icePortRange = options.portRange;
  }
  return new RTCPeerConnection(config);
}

/**
 * The local description once candidate gathering is complete, so the client gets every server
 * candidate inside the SDP (the server does not trickle). Bounded: after the deadline, what was
 * gathered so far goes out.
 */
export async function localDescriptionWhenGathered(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await pc.iceGatheringStateChange.watch((state) => state === 'complete', GATHER_DEADLINE_MS).catch(() => undefined);
  }
  const sdp = pc.localDescription?.sdp;
  if (!sdp) {
    throw new Error('no local description');
  }
  return sdp;
}

/**
 * Closes a forwarding peer connection for good. werift keeps retransmitting an unfinished DTLS
 * handshake (and holds its timer) for up to ~30 s after `close()`; marking the handshake as past its
 * last flight ends that loop at its next wake-up.
 */
export function closeForwardingPeer(pc: RTCPeerConnection): Promise<void> {
  for (const transport of pc.dtlsTransports) {
    if (transport.dtls) {
      transport.dtls.dtls.flight = Number.MAX_SAFE_INTEGER;
    }
  }
  return pc.close().catch(() => undefined);
}
