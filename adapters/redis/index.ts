/**
 * Health shared across hosts through Redis.
 *
 * @example
 * import Redis from 'ioredis';
 * import { RedisStateStore } from 'switchyard-rpc/redis';
 * const stateStore = new RedisStateStore({ client: new Redis(process.env.REDIS_URL), namespace: 'myapp:rpc' });
 */
import 'reflect-metadata';

// The core's types that this entry point's signatures mention, so that they can be named from here too.
export type {
  LeaseDecision,
  Logger,
  ProbeLease,
  SharedEndpointRecord,
  SharedState,
  StateStore,
} from '../../src/index.js';
export type { PublishedListener } from './PublishedChannel.js';
export { RedisStateStore, type RedisStateStoreConfig } from './RedisStateStore.js';
export type { RedisClient } from './redisConnection.js';
