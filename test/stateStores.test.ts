import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisStateStore } from '../adapters/redis/RedisStateStore.js';
import { silentLogger } from '../src/logger.js';
import { FileStateStore } from '../src/state/FileStateStore.js';
import { MemoryStateStore } from '../src/state/MemoryStateStore.js';
import { describeWithRedis, type RedisServer, startRedisServer } from './redisServer.js';
import { describeStateStoreContract } from './stateStoreContract.js';

describeStateStoreContract('MemoryStateStore', async () => ({
  store: new MemoryStateStore(),
  cleanup: async () => {},
}));

describeStateStoreContract('FileStateStore', async () => {
  const directory = mkdtempSync(join(os.tmpdir(), 'switchyard-'));
  const path = join(directory, 'state.json');
  return {
    store: new FileStateStore({ path, logger: silentLogger }),
    reopen: async () => new FileStateStore({ path, logger: silentLogger }),
    cleanup: async () => rmSync(directory, { recursive: true, force: true }),
  };
});

describeWithRedis('RedisStateStore', () => {
  // One private redis-server for the file; every test gets a namespace of its own on it.
  let server: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  describeStateStoreContract('RedisStateStore', async () => {
    const namespace = `contract-${randomUUID()}`;
    const open = () => new RedisStateStore({ url: server.url, namespace, logger: silentLogger });
    return {
      store: open(),
      reopen: async () => open(),
      cleanup: async () => {
        const keys = await admin.keys(`*${namespace}*`);
        if (keys.length > 0) await admin.del(...keys);
      },
    };
  });
});
