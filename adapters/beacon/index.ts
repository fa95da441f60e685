/**
 * Beacon node head monitoring: one self-healing SSE stream per node (`createBeaconHeadMonitor`), and
 * the parts it is made of for custom setups.
 *
 * @example
 * import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
 * const monitor = createBeaconHeadMonitor({ candidates: ['http://bn1:5052', 'http://bn2:5052'] });
 * monitor.on('head', (head) => console.log(head.slot));
 */
import 'reflect-metadata';

export {
  BeaconHttp,
  type BeaconHttpTimeouts,
  type BeaconRequest,
  beaconRequest,
  classifyBeaconError,
} from './BeaconHttp.js';
export { BeaconDataError, type BeaconHead, parseHeadEvent, parseHeadHeader } from './beaconHead.js';
export { beaconProbe } from './beaconProbe.js';
export { type BeaconTiming, readBeaconTiming } from './beaconTiming.js';
export {
  type BeaconHeadMonitor,
  type BeaconHeadMonitorOptions,
  createBeaconHeadMonitor,
} from './createBeaconHeadMonitor.js';
export { sseHeadStream } from './sseHeadStream.js';
