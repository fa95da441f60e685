import type { ChainHead } from '../../src/adapter.js';

/** A beacon chain head, as the `head` SSE event announces it. */
export interface BeaconHead extends ChainHead {
  readonly slot: number;
  /** Block root, `0x`-prefixed hex. */
  readonly block: string;
  /** State root, `0x`-prefixed hex. */
  readonly state: string;
  /** The head is the first slot of an epoch. */
  readonly epochTransition: boolean;
  /** The node has not yet verified the head's execution payload. */
  readonly executionOptimistic: boolean;
}

/** Why a beacon answer was refused; the caller decides which error it becomes. */
export class BeaconDataError extends Error {
  override name = 'BeaconDataError';
}

const ROOT = /^0x[0-9a-fA-F]{64}$/;

/**
 * Reads the data of a `head` SSE event (`{"slot":"10","block":"0x…","state":"0x…",…}`).
 *
 * @throws {BeaconDataError} saying which field is missing or wrong.
 */
export function parseHeadEvent(data: string): BeaconHead {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new BeaconDataError('head event data is not JSON');
  }
  const event = record(json, 'head event');
  return {
    slot: slotOf(event['slot'], 'head event slot'),
    block: rootOf(event['block'], 'head event block'),
    state: rootOf(event['state'], 'head event state'),
    epochTransition: booleanOf(event['epoch_transition'], 'head event epoch_transition', false),
    executionOptimistic: booleanOf(event['execution_optimistic'], 'head event execution_optimistic', false),
  };
}

/**
 * Reads `/eth/v1/beacon/headers/head` as a head. The header does not say whether the slot starts an
 * epoch; that follows from `slotsPerEpoch`.
 *
 * @throws {BeaconDataError} saying which field is missing or wrong.
 */
export function parseHeadHeader(json: unknown, slotsPerEpoch: number): BeaconHead {
  const body = record(json, 'headers/head answer');
  const data = record(body['data'], 'headers/head data');
  const message = record(record(data['header'], 'headers/head header')['message'], 'headers/head message');
  const slot = slotOf(message['slot'], 'headers/head slot');
  return {
    slot,
    block: rootOf(data['root'], 'headers/head root'),
    state: rootOf(message['state_root'], 'headers/head state_root'),
    epochTransition: slot % slotsPerEpoch === 0,
    executionOptimistic: booleanOf(body['execution_optimistic'], 'headers/head execution_optimistic', false),
  };
}

/** An object field of a beacon answer. @throws {BeaconDataError} */
export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BeaconDataError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** A slot-like field: a decimal string (or number) holding a safe whole number. @throws {BeaconDataError} */
export function slotOf(value: unknown, what: string): number {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0)
    throw new BeaconDataError(`${what} is not a whole number`);
  return number;
}

/** A boolean field; `fallback` when absent (older nodes omit optional flags). @throws {BeaconDataError} */
export function booleanOf(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new BeaconDataError(`${what} is not a boolean`);
  return value;
}

/** A 32-byte root: `0x` and 64 hex digits, returned in lower case. @throws {BeaconDataError} */
export function rootOf(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ROOT.test(value))
    throw new BeaconDataError(`${what} is not a 32-byte hex root`);
  return value.toLowerCase();
}
