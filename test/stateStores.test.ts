import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger.js';
import { FileStateStore } from '../src/state/FileStateStore.js';
import { MemoryStateStore } from '../src/state/MemoryStateStore.js';
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
