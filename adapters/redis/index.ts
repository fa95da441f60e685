/**
 * Health shared across hosts through Redis.
 *
 * @example
 * import Redis from 'ioredis';
 * import { RedisStateStore } from 'switchyard-rpc/redis';
 * const stateStore = new RedisStateStore({ client: new Redis(process.env.REDIS_URL), namespace: 'myapp:rpc' });
 */
import 'reflect-metadata';

export { RedisStateStore, type RedisStateStoreConfig } from './RedisStateStore.js';
