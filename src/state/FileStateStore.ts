import { randomBytes } from 'node:crypto';
import { accessSync, constants, readdirSync, statSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { ClosedError, ConfigError, SwitchyardError } from '../errors.js';
import type { Logger, SharedState, StateStore } from '../interfaces.js';
import { consoleLogger } from '../logger.js';
import { positiveOption } from '../options.js';
import { TaskSet } from '../TaskSet.js';
import { requireLogger } from '../validate.js';
import { type ApplyQueued, GroupCommit } from './GroupCommit.js';
import { emptySharedState } from './MemoryStateStore.js';
import { parseSharedState } from './parseSharedState.js';

export interface FileStateStoreConfig {
  /** The state file. Its directory must exist and be writable; the file is created on first write. */
  path: string;
  /** Where a corrupt file or a lost lock is reported. @default console (warn, error) */
  logger?: Logger;
  /**
   * A lock not refreshed for this long belongs to a dead process and is taken over.
   * proper-lockfile refreshes a held lock every `staleLockMs / 2`; its minimum is 2000.
   * @default 5000
   */
  staleLockMs?: number;
}

// Temp files of a process killed between write and rename are removed once they are this old.
const ORPHAN_TMP_AGE_MS = 60_000;
// Lock retry backoff: short sleeps, because a holder keeps the lock for a few milliseconds.
const LOCK_RETRY_MIN_MS = 1;
const LOCK_RETRY_MAX_MS = 8;

/**
 * A {@link StateStore} in one JSON file, shared by every process of one host that opens it.
 *
 * `update` is an atomic read-modify-write under an advisory lock (proper-lockfile, with
 * takeover of a lock left by a dead process). Every write goes to a temp file in the same
 * directory, is fsynced, renamed over the file, and the directory fsynced: a process killed at
 * any point leaves the old state or the new one, never a torn file. A corrupt file, or one of an
 * unknown or newer format, is logged, kept aside as `<file>.corrupt-<time>`, and the store starts
 * fresh. Only endpoint ids are stored, never URLs or credentials.
 *
 * @example
 * import { FileStateStore } from 'switchyard-rpc';
 * const stateStore = new FileStateStore({ path: '/var/run/myapp/rpc-health.json' });
 * const server = withFailover(new rpc.Server(urlA), { endpoints: [urlB], stateStore });
 */
export class FileStateStore implements StateStore {
  readonly path: string;
  readonly #logger: Logger;
  readonly #staleMs: number;
  readonly #operations = new TaskSet();
  /** One lock per batch of queued updates: the updates of one process never contend with each other. */
  readonly #commits = new GroupCommit((applyQueued) => this.#commitBatch(applyQueued));
  #closed = false;

  constructor(config: FileStateStoreConfig) {
    if (typeof config?.path !== 'string' || config.path === '') {
      throw new ConfigError('path', 'must be the path of the state file');
    }
    if (config.logger !== undefined) requireLogger('logger', config.logger);
    this.#staleMs = Math.max(2000, positiveOption('staleLockMs', config.staleLockMs, 5000));
    this.path = resolve(config.path);
    this.#logger = config.logger ?? consoleLogger;
    checkLocation(this.path);
    this.#removeOrphanTempFiles();
  }

  /** The current state. Lock-free: renames are atomic, so the file is always whole. */
  read(): Promise<SharedState> {
    return this.#run(async () => {
      const text = await this.#readText();
      if (text === undefined) return emptySharedState();
      const parsed = parseSharedState(text);
      if (parsed.ok) return parsed.state;
      // Set the bad file aside under the lock, unless another process has replaced it meanwhile.
      return this.#locked(async () => (await this.#loadForUpdate())?.state ?? emptySharedState());
    });
  }

  update(fn: (state: SharedState) => SharedState): Promise<SharedState> {
    return this.#run(() => this.#commits.submit(fn));
  }

  /** Waits for operations in flight; later calls reject with a ClosedError. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#operations.settled();
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError('state store'));
    return this.#operations.track(operation());
  }

  /** Applies the queued updates under one lock and writes once, if anything changed. */
  async #commitBatch(applyQueued: ApplyQueued): Promise<void> {
    await this.#locked(async (isCompromised) => {
      const loaded = await this.#loadForUpdate();
      const text = JSON.stringify(applyQueued(loaded?.state ?? emptySharedState()));
      // Most lease checks change nothing: skip the write and its fsyncs.
      if (text === loaded?.text) return;
      if (isCompromised()) {
        throw new SwitchyardError('STATE_STORE_FAILED', 'Lost the state file lock; update not written.');
      }
      await this.#write(text);
    });
  }

  async #locked<T>(critical: (isCompromised: () => boolean) => Promise<T>): Promise<T> {
    let compromised = false;
    const release = await this.#acquire(() => {
      compromised = true;
    });
    try {
      return await critical(() => compromised);
    } finally {
      await release().catch(() => {
        // Already released by a takeover after compromise: nothing left to undo.
      });
    }
  }

  /**
   * Takes the lock, waiting while another process holds it (a dead holder's lock turns stale and
   * is taken over). Any other error (the directory is gone, no permission) fails at once:
   * proper-lockfile's own retries would retry those too.
   */
  async #acquire(onCompromised: () => void): Promise<() => Promise<void>> {
    const deadline = performance.now() + 2 * this.#staleMs;
    for (let wait = LOCK_RETRY_MIN_MS; ; wait = Math.min(wait * 2, LOCK_RETRY_MAX_MS)) {
      try {
        return await lock(this.path, {
          realpath: false,
          stale: this.#staleMs,
          // The default throws inside a timer and would crash the host process.
          onCompromised: (error) => {
            onCompromised();
            this.#logger.error({ err: error }, 'switchyard: state file lock was lost');
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || performance.now() > deadline) {
          throw storeError('could not lock the state file', error);
        }
        await sleep(wait * (0.5 + Math.random()));
      }
    }
  }

  /** Reads and checks the file under the lock; a bad file is set aside and undefined returned. */
  async #loadForUpdate(): Promise<{ state: SharedState; text: string } | undefined> {
    const text = await this.#readText();
    if (text === undefined) return undefined;
    const parsed = parseSharedState(text);
    if (parsed.ok) return { state: parsed.state, text };
    const aside = await this.#setAside().catch((error: unknown) => {
      throw storeError('could not set the bad state file aside', error);
    });
    this.#logger.error(
      { problem: parsed.problem, keptAs: aside },
      `switchyard: state file ${parsed.problem}; kept aside as ${basename(aside)}, starting fresh`,
    );
    return undefined;
  }

  /** Moves the file to `<file>.corrupt-<n>`, never over an earlier one (rename would replace it). */
  async #setAside(): Promise<string> {
    for (let n = Date.now(); ; n++) {
      const aside = `${this.path}.corrupt-${n}`;
      try {
        await link(this.path, aside);
        await unlink(this.path);
        return aside;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  async #readText(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeError('could not read the state file', error);
    }
  }

  async #write(text: string): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const file = await open(tmp, 'w', 0o600);
      try {
        await file.writeFile(text);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
      const directory = await open(dirname(this.path), 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    } catch (error) {
      await unlink(tmp).catch(() => {
        // The temp file was renamed already, or never created.
      });
      throw storeError('could not write the state file', error);
    }
  }

  #removeOrphanTempFiles(): void {
    const directory = dirname(this.path);
    const prefix = `${basename(this.path)}.`;
    for (const name of readdirSync(directory)) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const file = join(directory, name);
      try {
        if (Date.now() - statSync(file).mtimeMs > ORPHAN_TMP_AGE_MS) unlinkSync(file);
      } catch {
        // Gone already, or not ours to remove: harmless either way.
      }
    }
  }
}

/** Fails at construction, naming the problem, when the file could never be written or read. */
function checkLocation(path: string): void {
  const directory = dirname(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    throw new ConfigError('path', `directory ${directory} does not exist`);
  }
  if (!isDirectory) throw new ConfigError('path', `${directory} is not a directory`);
  try {
    accessSync(directory, constants.W_OK | constants.X_OK);
  } catch {
    throw new ConfigError('path', `directory ${directory} is not writable by this process`);
  }
  try {
    if (statSync(path).isDirectory()) throw new ConfigError('path', `${path} is a directory, not a file`);
    accessSync(path, constants.R_OK);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError('path', `${path} is not readable by this process`);
    }
  }
}

function storeError(what: string, cause: unknown): SwitchyardError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  return new SwitchyardError('STATE_STORE_FAILED', `State store: ${what}${code ? ` (${code})` : ''}.`, {
    cause,
  });
}
