import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { duplicateConnection, openScriptConnection, type RedisClient } from './redisConnection.js';

// lazyConnect: nothing here connects; only the options each duplicate was made with are read.
const opened: RedisClient[] = [];
const keep = <T extends RedisClient>(client: T): T => {
  opened.push(client);
  return client;
};
afterEach(() => {
  for (const client of opened.splice(0)) client.disconnect();
});

describe('duplicateConnection', () => {
  it('puts the options on a duplicate of a Redis client, keeping its own settings', () => {
    const app = keep(new Redis({ port: 1, lazyConnect: true, password: 'app-secret', db: 3 }));
    const copy = keep(duplicateConnection(app, { enableOfflineQueue: false, commandTimeout: 250 }) as Redis);
    expect(copy.options).toMatchObject({
      enableOfflineQueue: false,
      commandTimeout: 250,
      password: 'app-secret',
      db: 3,
    });
  });

  it('gives a Cluster the options, per node where they belong (its duplicate(options) drops them)', () => {
    const app = keep(
      new Cluster([{ host: '127.0.0.1', port: 1 }], {
        lazyConnect: true,
        redisOptions: { password: 'app-secret' },
      }),
    );
    // What ioredis does with the plain call: the options are read as startup nodes and ignored.
    expect(keep(app.duplicate({ enableOfflineQueue: false } as never)).options.enableOfflineQueue).toBe(true);

    const copy = keep(
      duplicateConnection(app, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 250,
      }) as Cluster,
    );
    expect(copy.isCluster).toBe(true);
    expect(copy.options.enableOfflineQueue).toBe(false);
    expect(copy.options.redisOptions).toMatchObject({
      commandTimeout: 250,
      maxRetriesPerRequest: 0,
      password: 'app-secret',
    });
  });

  it('opens the store connection of a Cluster with the fail-fast options and the scripts', () => {
    const app = keep(new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true }));
    const commands = keep(openScriptConnection({ client: app }, 300)) as Cluster;
    expect(commands.options.enableOfflineQueue).toBe(false);
    expect(commands.options.redisOptions).toMatchObject({ commandTimeout: 300, maxRetriesPerRequest: 0 });
    expect(typeof (commands as unknown as Record<string, unknown>)['switchyardSnapshot']).toBe('function');
  });
});
