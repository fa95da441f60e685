import type { Endpoint } from '../../src/adapter.js';
import type { SlotTiming } from '../../src/index.js';
import type { BeaconHttp } from './BeaconHttp.js';
import { BeaconDataError, record, slotOf } from './beaconHead.js';

/** A beacon chain's timing, as its genesis and config say. */
export interface BeaconTiming extends SlotTiming {
  slotsPerEpoch: number;
}

/**
 * Reads the chain's timing from one node: `genesis_time` from `/eth/v1/beacon/genesis`, the slot length
 * from `/eth/v1/config/spec` (`SLOT_DURATION_MS` where the node has it, else `SECONDS_PER_SLOT`) and
 * `SLOTS_PER_EPOCH`.
 *
 * @throws {BeaconDataError} when an answer lacks a field; the node's HTTP errors as they come.
 * @example
 * const { genesisTimeMs, slotMs } = await readBeaconTiming(http, endpoint, AbortSignal.timeout(5000));
 */
export async function readBeaconTiming(
  http: BeaconHttp,
  endpoint: Endpoint,
  signal: AbortSignal,
): Promise<BeaconTiming> {
  const [genesis, spec] = await Promise.all([
    http.getJson(endpoint, 'eth/v1/beacon/genesis', signal),
    http.getJson(endpoint, 'eth/v1/config/spec', signal),
  ]);
  const genesisTime = slotOf(genesisData(genesis)['genesis_time'], 'genesis_time');
  const config = record(record(spec, 'spec answer')['data'], 'spec data');
  const slotMs =
    config['SLOT_DURATION_MS'] !== undefined
      ? positiveNumber(config['SLOT_DURATION_MS'], 'SLOT_DURATION_MS')
      : positiveNumber(config['SECONDS_PER_SLOT'], 'SECONDS_PER_SLOT') * 1000;
  const slotsPerEpoch =
    config['SLOTS_PER_EPOCH'] === undefined ? 32 : slotOf(config['SLOTS_PER_EPOCH'], 'SLOTS_PER_EPOCH');
  return { genesisTimeMs: genesisTime * 1000, slotMs, slotsPerEpoch: Math.max(1, slotsPerEpoch) };
}

/** The `data` of a `/eth/v1/beacon/genesis` answer. @throws {BeaconDataError} */
export function genesisData(answer: unknown): Record<string, unknown> {
  return record(record(answer, 'genesis answer')['data'], 'genesis data');
}

function positiveNumber(value: unknown, what: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0)
    throw new BeaconDataError(`${what} is not a positive number`);
  return number;
}
