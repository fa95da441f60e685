import type { ServerResponse } from 'node:http';
import { send } from '../simulated/http.js';
import type { BeaconFaults } from './faults.js';
import { GENESIS_VALIDATORS_ROOT, headerPayload, SLOTS_PER_EPOCH } from './payloads.js';
import type { SlotConfig } from './SlotTicker.js';

/** Path of `node/syncing`, answered even while the node is `unavailable`. */
export const SYNCING_PATH = '/eth/v1/node/syncing';

/** What a REST route reads of the node answering it. */
export interface BeaconRouteContext {
  /** The cluster's slot timing. */
  config: SlotConfig;
  /** The cluster's slot now. */
  clusterSlot: number;
  /** The answering node's head, lag and ahead applied. */
  head: number;
  /** The answering node's faults when the request arrived. */
  faults: Readonly<BeaconFaults>;
}

/**
 * Writes `body` as a JSON answer.
 *
 * @example
 * sendJson(res, 200, { data: { head_slot: '12' } });
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json');
}

/**
 * Writes an error as beacon nodes answer one: JSON `{ code, message }` with `code` as the status.
 *
 * @example
 * sendError(res, 503, 'Beacon node is currently syncing');
 */
export function sendError(res: ServerResponse, code: number, message: string): void {
  sendJson(res, code, { code, message });
}

/**
 * The body of `node/syncing`: the node's head and distance, `is_syncing` while `unavailable`.
 *
 * @example
 * sendJson(res, 200, syncingBody({ config, clusterSlot, head, faults }));
 */
export function syncingBody({ clusterSlot, head, faults }: BeaconRouteContext): Record<string, unknown> {
  // A node that says it is syncing must also say it is behind, even with no lag set.
  const behind = Math.max(0, clusterSlot - head);
  const distance = Math.max(behind, faults.unavailable ? 1 : 0);
  return {
    data: {
      head_slot: String(Math.max(0, head - (distance - behind))),
      sync_distance: String(distance),
      is_syncing: faults.unavailable ?? false,
      is_optimistic: faults.optimistic ?? false,
      el_offline: faults.elOffline ?? false,
    },
  };
}

/**
 * The body of a REST route (`beacon/headers/head`, `beacon/genesis`, `config/spec`), or undefined for a
 * path the simulator does not serve.
 *
 * @example
 * const body = routeBody('/eth/v1/beacon/genesis', context); // { data: { genesis_time, … } }
 */
export function routeBody(path: string, context: BeaconRouteContext): Record<string, unknown> | undefined {
  const { config, head, faults } = context;
  const { genesisTime, slotMs } = config;
  switch (path) {
    case '/eth/v1/beacon/headers/head':
      return headerPayload(head, faults.optimistic ?? false);
    case '/eth/v1/beacon/genesis':
      return {
        data: {
          genesis_time: String(genesisTime),
          genesis_validators_root: faults.wrongGenesisRoot ?? GENESIS_VALIDATORS_ROOT,
          genesis_fork_version: '0x00000000',
        },
      };
    case '/eth/v1/config/spec':
      return {
        data: {
          CONFIG_NAME: 'switchyard-simulated',
          PRESET_BASE: 'mainnet',
          SECONDS_PER_SLOT: String(slotMs / 1000),
          SLOT_DURATION_MS: String(slotMs),
          SLOTS_PER_EPOCH: String(SLOTS_PER_EPOCH),
          GENESIS_FORK_VERSION: '0x00000000',
          MIN_GENESIS_TIME: String(genesisTime),
        },
      };
    default:
      return undefined;
  }
}
