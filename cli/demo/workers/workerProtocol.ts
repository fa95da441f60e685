import type { EndpointState } from '../../../src/index.js';
import type { RecordedCalls } from '../CallRecorder.js';
import type { DemoNode } from '../soroban/sorobanDemoServer.js';

/** What a demo worker is told to do; plain data, passed as JSON on its command line. */
export interface DemoWorkerConfig {
  /** 1-based: the worker's name in the table is `w<index>`. */
  index: number;
  nodes: DemoNode[];
  /** The FileStateStore file every worker shares. */
  statePath: string;
  probeIntervalMs: number;
  /** Closed-loop callers of this worker. */
  callers: number;
  /** A caller's pause between calls. */
  pauseMs: number;
}

/** One endpoint as a worker sees it. */
export interface WorkerEndpointStatus {
  label: string;
  state: EndpointState;
  /** The worker's first choice right now. */
  active: boolean;
  /** Probes this worker sent in the last minute (not the ones it took from the shared store). */
  probesPerMinute: number;
  /** Calls of this worker the endpoint answered. */
  served: number;
}

/** A worker's figures at one moment. */
export interface WorkerStatus {
  endpoints: WorkerEndpointStatus[];
  requests: number;
  failed: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  routeChanges: number;
}

/** Parent to worker. */
export type ToWorker =
  /** Every worker is ready: begin the workload. `head` is the network's head now. */
  | { type: 'go'; head: number }
  /** The network's head now, to tell stale answers (a worker cannot see the cluster). */
  | { type: 'head'; head: number }
  /** Finish the calls in flight, report, close everything and exit. */
  | { type: 'stop' };

/** Worker to parent. */
export type FromWorker =
  /** Its failover exists; waiting for `go`. */
  | { type: 'ready' }
  | { type: 'status'; status: WorkerStatus }
  /** An event line (route change, state change, error), without time stamp or worker name. */
  | { type: 'note'; text: string }
  /** The last word before it closes: final figures and every call's outcome. */
  | { type: 'done'; status: WorkerStatus; calls: RecordedCalls };
