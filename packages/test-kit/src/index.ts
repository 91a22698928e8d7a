/** @vigil/test-kit — harnesses for Vigil's tests: real servers, raw sockets, Chromium, a manual clock. */

// Servers and clients
export { startTestServer } from './test-server.js';
export type { TestServer } from './test-server.js';
export { openRawSocket, openRawSocketWith } from './raw-socket.js';
export type { RawSocket } from './raw-socket.js';

// Faults
export { FaultProxy, FaultModes } from './fault-proxy.js';
export type { FaultMode } from './fault-proxy.js';

// Waiting
export { nextEvent, recordEvents, waitUntil } from './next-event.js';

// Time and devices
export { ManualClock } from './manual-clock.js';
export { IosSimulator } from './ios-simulator.js';
export type { SimulatedAppState, PeerView } from './ios-simulator.js';

// Browsers
export { launchChromium, chromiumPath, CHROMIUM_ARGS } from './chromium.js';
export { browserClientHandler } from './browser-client-page.js';
export { processTreeByMarker, signalProcesses } from './process-tree.js';
