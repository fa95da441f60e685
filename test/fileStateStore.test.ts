import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ConfigError } from '../src/errors.js';
import type { SharedState } from '../src/interfaces.js';
import { FileStateStore, type FileStateStoreConfig } from '../src/state/FileStateStore.js';
import { parseSharedState } from '../src/state/parseSharedState.js';
import { publishProbeResult, takeProbeLease } from '../src/state/sharedHealth.js';
import { recordingLogger } from './recordingLogger.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** A fresh temp directory, removed when the test ends. */
function tempDir(): string {
  const directory = mkdtempSync(join(os.tmpdir(), 'switchyard-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A store closed when the test ends. */
function openStore(config: FileStateStoreConfig): FileStateStore {
  const store = new FileStateStore(config);
  onTestFinished(() => store.close());
  return store;
}

function increment(state: SharedState): SharedState {
  const previous = state.endpoints['x']?.latencyMs ?? 0;
  return {
    ...state,
    endpoints: { ...state.endpoints, x: { ok: true, latencyMs: previous + 1, checkedAt: 0 } },
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves once `condition()` holds; fails after `timeoutMs`. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const tempFilesIn = (directory: string) => readdirSync(directory).filter((name) => name.endsWith('.tmp'));
const keptAsideIn = (directory: string, file: string) =>
  readdirSync(directory).filter((name) =>
    new RegExp(`^${file.replace('.', '\\.')}\\.corrupt-\\d+$`).test(name),
  );

describe('FileStateStore on disk', () => {
  it('leaves a file that always parses and no temp file behind, over many writes', async () => {
    const directory = tempDir();
    const path = join(directory, 'state.json');
    const store = openStore({ path });
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        if (existsSync(path)) {
          const text = readFileSync(path, 'utf8');
          const parsed = parseSharedState(text);
          if (!parsed.ok) throw new Error(`a reader saw a file that ${parsed.problem}: ${text.slice(0, 80)}`);
          reads++;
        }
        await nextTurn();
      }
    })();
    try {
      for (let i = 0; i < 60; i++) {
        await store.update(increment);
        await nextTurn();
      }
      // And a burst, written as batches.
      await Promise.all(Array.from({ length: 40 }, () => store.update(increment)));
    } finally {
      writing = false;
    }
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(parseSharedState(readFileSync(path, 'utf8'))).toMatchObject({
      ok: true,
      state: { endpoints: { x: { latencyMs: 100 } } },
    });
    expect(tempFilesIn(directory)).toEqual([]);
  });

  it('does not rewrite the file for an update that changes nothing', async () => {
    const directory = tempDir();
    const path = join(directory, 'state.json');
    const store = openStore({ path });
    const now = Date.now();
    await store.update((state) => takeProbeLease(state, 'e1', 'worker-a', now, 60_000).state);
    const before = statSync(path);

    await store.update((state) => state);
    // Another owner asking for the lease is refused: the usual "nothing to do" update.
    await store.update((state) => takeProbeLease(state, 'e1', 'worker-b', now + 1, 60_000).state);
    const after = statSync(path);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);

    // A change does replace the file: the check above can see a rewrite.
    await store.update(increment);
    expect(statSync(path).ino).not.toBe(before.ino);
  });

  it('takes over a lock left behind by a dead process', async () => {
    const directory = tempDir();
    const path = join(directory, 'state.json');
    const lockDir = `${path}.lock`;
    mkdirSync(lockDir);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lockDir, longAgo, longAgo);
    const store = openStore({ path, staleLockMs: 2000 });
    await expect(store.update(increment)).resolves.toMatchObject({ endpoints: { x: { latencyMs: 1 } } });
    expect(existsSync(lockDir)).toBe(false);
  });

  it('fails an update at once, without waiting out the lock retries, when the directory has gone', async () => {
    const directory = tempDir();
    const store = openStore({ path: join(directory, 'state.json'), staleLockMs: 2000 });
    rmSync(directory, { recursive: true });
    const started = performance.now();
    await expect(store.update(increment)).rejects.toMatchObject({
      code: 'STATE_STORE_FAILED',
      message: expect.stringContaining('ENOENT'),
    });
    // Waiting for a held lock would take 2 x staleLockMs = 4 s.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('FileStateStore with a bad file', () => {
  const valid: SharedState = {
    version: 1,
    endpoints: { e1: { ok: true, latencyMs: 12, head: 100, checkedAt: 1_700_000_000_000 } },
    leases: { e1: { owner: 'worker-a', until: 1_700_000_060_000 } },
  };
  const cases: { name: string; bytes: string; problem: string }[] = [
    { name: 'corrupt JSON', bytes: '{"version":1,"endpoints":{}, garbage', problem: 'corrupt' },
    { name: 'a truncated file', bytes: JSON.stringify(valid).slice(0, 40), problem: 'corrupt' },
    { name: 'an empty file', bytes: '', problem: 'corrupt' },
    { name: 'version 0', bytes: JSON.stringify({ ...valid, version: 0 }), problem: 'unknown format' },
    {
      name: 'a string version',
      bytes: JSON.stringify({ ...valid, version: '1' }),
      problem: 'unknown format',
    },
    { name: 'a newer version', bytes: JSON.stringify({ ...valid, version: 2 }), problem: 'newer version' },
    {
      name: 'endpoints as an array',
      bytes: JSON.stringify({ ...valid, endpoints: [] }),
      problem: 'unknown format',
    },
    { name: 'a JSON array', bytes: '[1,2,3]', problem: 'unknown format' },
  ];

  /** A store on a file holding `bytes`. */
  function storeOn(bytes: string) {
    const directory = tempDir();
    const path = join(directory, 'state.json');
    writeFileSync(path, bytes);
    const logger = recordingLogger();
    const store = openStore({ path, logger });
    return { directory, path, logger, store };
  }

  function expectKeptAsideOnce(
    { directory, logger }: { directory: string; logger: ReturnType<typeof recordingLogger> },
    bytes: string,
    problem: string,
  ): void {
    const aside = keptAsideIn(directory, 'state.json');
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(directory, aside[0]!), 'utf8')).toBe(bytes);
    expect(logger.at('error')).toHaveLength(1);
    expect(logger.at('warn')).toHaveLength(0);
    const message = logger.at('error')[0]!.msg ?? '';
    expect(message).toContain(problem);
    expect(message).toContain(aside[0]);
  }

  describe.each(cases)('$name', ({ bytes, problem }) => {
    it(`read() then update() start fresh, the file is kept aside, and one error names '${problem}'`, async () => {
      const setup = storeOn(bytes);
      expect(await setup.store.read()).toEqual({ version: 1, endpoints: {}, leases: {} });
      await expect(setup.store.update(increment)).resolves.toEqual({
        version: 1,
        endpoints: { x: { ok: true, latencyMs: 1, checkedAt: 0 } },
        leases: {},
      });
      expect((await setup.store.read()).endpoints['x']?.latencyMs).toBe(1);
      expectKeptAsideOnce(setup, bytes, problem);
    });

    it('update() first gets a fresh state, and the file is kept aside with one error', async () => {
      const setup = storeOn(bytes);
      let seen: SharedState | undefined;
      await setup.store.update((state) => {
        seen = structuredClone(state);
        return increment(state);
      });
      expect(seen).toEqual({ version: 1, endpoints: {}, leases: {} });
      expect(parseSharedState(readFileSync(setup.path, 'utf8'))).toMatchObject({ ok: true });
      expect((await setup.store.read()).endpoints['x']?.latencyMs).toBe(1);
      expectKeptAsideOnce(setup, bytes, problem);
    });
  });

  // BUG: parseSharedState checks only the top level, so `leases: { e1: null }` is accepted as a good
  // state, and publishProbeResult throws a TypeError reading `null.until` in every later update: the
  // store fails forever instead of setting the file aside and starting fresh.
  it('sets aside a file whose entries are not records, rather than failing every update', async () => {
    const bytes = JSON.stringify({ ...valid, leases: { e1: null } });
    const setup = storeOn(bytes);
    const published = { ok: true, latencyMs: 5, checkedAt: Date.now() };
    await expect(setup.store.update((state) => publishProbeResult(state, 'e2', published))).resolves.toEqual({
      version: 1,
      endpoints: { e2: published },
      leases: {},
    });
    expectKeptAsideOnce(setup, bytes, 'unknown format');
  });

  // BUG: the kept-aside name is `<file>.corrupt-<Date.now()>`, and rename() replaces an existing file, so a
  // second bad file set aside in the same millisecond destroys the first one's copy.
  it('keeps both copies when two bad files are set aside in the same millisecond', async () => {
    const { directory, path, store, logger } = storeOn('first bad file');
    const frozen = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(frozen);
    onTestFinished(() => {
      vi.restoreAllMocks();
    });
    await store.read();
    writeFileSync(path, 'second bad file');
    await store.read();
    expect(logger.at('error')).toHaveLength(2);
    const copies = keptAsideIn(directory, 'state.json').map((name) =>
      readFileSync(join(directory, name), 'utf8'),
    );
    expect(copies.sort()).toEqual(['first bad file', 'second bad file']);
  });
});

describe('FileStateStore construction', () => {
  it.each([
    ['an empty path', () => ''],
    ['a missing directory', (directory: string) => join(directory, 'missing', 'state.json')],
    [
      'a path whose parent is a file',
      (directory: string) => {
        writeFileSync(join(directory, 'file'), '');
        return join(directory, 'file', 'state.json');
      },
    ],
  ])('rejects %s with a ConfigError on path', (_, makePath) => {
    const path = makePath(tempDir());
    let thrown: unknown;
    try {
      new FileStateStore({ path });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ field: 'path', code: 'CONFIG_INVALID' });
  });

  it('says what is wrong with the path', () => {
    const directory = tempDir();
    writeFileSync(join(directory, 'file'), '');
    expect(() => new FileStateStore({ path: join(directory, 'missing', 's.json') })).toThrow(
      'does not exist',
    );
    expect(() => new FileStateStore({ path: join(directory, 'file', 's.json') })).toThrow('not a directory');
    expect(() => new FileStateStore({ path: '' })).toThrow(/^path: /);
  });

  // BUG: a directory passes every check (it exists and is readable); the store is built, and then every
  // read and update fails at run time with EISDIR instead of a ConfigError here.
  it('rejects a path that is a directory with a ConfigError on path', () => {
    const directory = tempDir();
    expect(() => new FileStateStore({ path: directory })).toThrow(ConfigError);
  });

  it('removes temp files older than a minute left by a killed writer, and keeps fresh ones', () => {
    const directory = tempDir();
    const path = join(directory, 'state.json');
    const old = join(directory, 'state.json.4242.0badcafe.tmp');
    const fresh = join(directory, 'state.json.4243.00c0ffee.tmp');
    const notOurs = join(directory, 'other.json.4244.deadbeef.tmp');
    for (const file of [old, fresh, notOurs]) writeFileSync(file, '{"version":1');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(old, twoMinutesAgo, twoMinutesAgo);
    utimesSync(notOurs, twoMinutesAgo, twoMinutesAgo);

    openStore({ path });
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(notOurs)).toBe(true);
  });
});

/**
 * Constructs a FileStateStore of the built package as uid 65534; returns what it threw.
 *
 * The child loads the package as root and only then drops to uid/gid 65534 with no supplementary groups:
 * uid 65534 may not be able to read the clone (a checkout under a mode-0700 home directory), and the
 * constructor, the code under test, is what must run unprivileged.
 */
function constructAsNobody(path: string): { ok?: true; name?: string; field?: string; message?: string } {
  const code = `const { FileStateStore } = await import('switchyard-rpc');
    process.setgroups([]);
    process.setgid(${NOBODY});
    process.setuid(${NOBODY});
    try {
      new FileStateStore({ path: ${JSON.stringify(path)} });
      console.log(JSON.stringify({ ok: true }));
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, field: e.field, message: e.message }));
    }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (child.status !== 0) throw new Error(`child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim());
}

describe('FileStateStore permissions (as an unprivileged user)', () => {
  it.skipIf(!isRoot)('accepts a directory the user can write (control)', () => {
    const directory = tempDir();
    chmodSync(directory, 0o777);
    expect(constructAsNobody(join(directory, 's.json'))).toEqual({ ok: true });
  });

  it.skipIf(!isRoot)('rejects a directory the user cannot write: ConfigError on path, "not writable"', () => {
    const directory = tempDir();
    chmodSync(directory, 0o755); // traversable, not writable, for uid 65534
    const result = constructAsNobody(join(directory, 's.json'));
    expect(result).toMatchObject({ name: 'ConfigError', field: 'path' });
    expect(result.message).toContain('not writable');
  });

  it.skipIf(!isRoot)(
    'rejects an existing file the user cannot read: ConfigError on path, "not readable"',
    () => {
      const directory = tempDir();
      chmodSync(directory, 0o777);
      const path = join(directory, 's.json');
      writeFileSync(path, JSON.stringify({ version: 1, endpoints: {}, leases: {} }));
      chmodSync(path, 0o000);
      const result = constructAsNobody(path);
      expect(result).toMatchObject({ name: 'ConfigError', field: 'path' });
      expect(result.message).toContain('not readable');
    },
  );
});

describe('FileStateStore losing its lock', () => {
  // The state file is a FIFO, so the update blocks reading it while holding the lock. Meanwhile the lock
  // directory is removed, as a takeover by another process would, and proper-lockfile's next refresh
  // (every staleLockMs / 2, at least 1 s) finds it gone.
  it('reports the lost lock and writes nothing', async () => {
    const directory = tempDir();
    const path = join(directory, 'state.json');
    spawnSync('mkfifo', [path]);
    if (!statSync(path).isFIFO()) throw new Error('mkfifo failed');
    const logger = recordingLogger();
    const store = openStore({ path, logger, staleLockMs: 2000 });

    let writer: number | undefined;
    try {
      const update = store.update(increment);
      update.catch(() => {});
      // Opening the write end without blocking succeeds only once the update has the file open for
      // reading, which it does under the lock. It then waits for what this end writes.
      await waitUntil(() => {
        try {
          writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
          return true;
        } catch {
          return false;
        }
      }, 'the update to read the file under the lock');
      rmdirSync(`${path}.lock`);
      await waitUntil(() => logger.at('error').length > 0, 'the lost lock to be reported');
      expect(logger.at('error')[0]!.msg).toContain('lock was lost');

      // Let the read finish: the update now has a state to change, and must not write it.
      const fd = writer;
      if (fd === undefined) throw new Error('the write end was not opened');
      writeFileSync(fd, JSON.stringify({ version: 1, endpoints: {}, leases: {} }));
      writer = undefined;
      closeSync(fd);
      await expect(update).rejects.toMatchObject({ code: 'STATE_STORE_FAILED', message: /lock/i });
      expect(statSync(path).isFIFO()).toBe(true);
      expect(tempFilesIn(directory)).toEqual([]);
      expect(logger.at('error')).toHaveLength(1);
    } finally {
      // Ends a read still waiting on the FIFO, so no thread stays stuck after a failure.
      if (writer !== undefined) closeSync(writer);
      else {
        try {
          closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // No reader: nothing to end.
        }
      }
    }
  });
});
