import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { findAnvil } from './findAnvil.js';

const HOST = '127.0.0.1';
/** anvil answers ~60–170 ms after spawn; a loaded CI machine gets far more. */
const READY_TIMEOUT_MS = 20_000;
const LOG_LIMIT = 16 * 1024;
/** A SIGSTOP stops every thread within a few ms; a loaded machine gets far more. */
const STOP_TIMEOUT_MS = 5000;

export interface AnvilNodeOptions {
  /** @default 31337 */
  chainId?: number;
  /** Seconds per block (`--block-time`); `undefined` mines a block per transaction. @default 1 */
  blockTimeSeconds?: number | undefined;
  /** @default 0: the kernel picks a free port, which anvil prints */
  port?: number;
  /** More anvil arguments. */
  args?: readonly string[];
}

/** Every anvil started by this process, so none outlives it. */
const live = new Set<ChildProcess>();
let exitHooked = false;

/**
 * A real anvil node in a child process, with faults made the way they happen in production:
 * {@link freeze} (SIGSTOP: connections are accepted, nothing answers), {@link kill} (SIGKILL),
 * {@link restart} (a fresh chain at height 0 on the same port). The node is always reaped: by
 * {@link close}, by {@link stopAllAnvils}, and at the latest when this process exits.
 *
 * @example
 * const node = await AnvilNode.start({ chainId: 31337 });
 * await node.request('eth_blockNumber');
 * await node.freeze(); // blackholed
 * node.thaw();
 * await node.close();
 */
export class AnvilNode {
  readonly #options: AnvilNodeOptions;
  #child: ChildProcess;
  #exited: Promise<void>;
  #log: { text: string };
  #port: number;

  private constructor(options: AnvilNodeOptions, started: Started) {
    this.#options = options;
    this.#child = started.child;
    this.#exited = started.exited;
    this.#log = started.log;
    this.#port = started.port;
  }

  /** Starts anvil and resolves once it answers `eth_chainId`. */
  static async start(options: AnvilNodeOptions = {}): Promise<AnvilNode> {
    return new AnvilNode(options, await launch(options, options.port ?? 0));
  }

  get port(): number {
    return this.#port;
  }
  get url(): string {
    return `http://${HOST}:${this.#port}`;
  }
  get wsUrl(): string {
    return `ws://${HOST}:${this.#port}`;
  }
  get pid(): number | undefined {
    return this.#child.pid;
  }
  /** The last 16 KB anvil printed: for a test's failure message. */
  get log(): string {
    return this.#log.text;
  }
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * SIGSTOP: the kernel still accepts connections; nothing answers, open sockets stay open. Resolves
   * once every thread of the process has stopped (the signal reaches each thread on its own, and one
   * already running could still answer a request sent right after the signal).
   */
  async freeze(): Promise<void> {
    this.#child.kill('SIGSTOP');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (!allThreadsStopped(this.#child.pid!)) {
      if (Date.now() > deadline) throw new Error(`anvil (pid ${this.#child.pid}) did not stop after SIGSTOP`);
      await sleep(1);
    }
  }

  /** SIGCONT: answers what was asked meanwhile (with the head from before the freeze) and goes on. */
  thaw(): void {
    this.#child.kill('SIGCONT');
  }

  /** SIGKILL; resolves once the process is gone. Connections are refused after. */
  async kill(): Promise<void> {
    if (this.running) {
      // A stopped process ignores everything but SIGKILL until SIGCONT: send both.
      this.#child.kill('SIGCONT');
      this.#child.kill('SIGKILL');
    }
    await this.#exited;
  }

  /** Kills the node if it runs, then starts a fresh one (height 0, same chain id) on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    const started = await launch(this.#options, this.#port);
    this.#child = started.child;
    this.#exited = started.exited;
    this.#log = started.log;
  }

  /** One JSON-RPC request over HTTP; an error answer throws with its code. */
  request(method: string, params: readonly unknown[] = [], timeoutMs = 5000): Promise<unknown> {
    return rpc(this.url, method, params, timeoutMs);
  }

  /** Stops the node for good. */
  close(): Promise<void> {
    return this.kill();
  }
}

/**
 * Whether every thread of `pid` is stopped (state `T` in /proc). Where there is no /proc (not Linux),
 * true: the signal is all there is to go on.
 */
function allThreadsStopped(pid: number): boolean {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return threads.every((tid) => {
    try {
      // `pid (comm) S ...`: the state follows the command name, which may hold spaces.
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
    } catch {
      return true; // the thread is gone
    }
  });
}

/** Kills every anvil this process started and waits until all are gone. */
export async function stopAllAnvils(): Promise<void> {
  await Promise.all(
    [...live].map((child) => {
      const gone = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      return gone;
    }),
  );
}

/** A JSON-RPC error answer. */
export class AnvilRpcError extends Error {
  override name = 'AnvilRpcError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
  log: { text: string };
  port: number;
}

async function launch(options: AnvilNodeOptions, port: number): Promise<Started> {
  const anvil = findAnvil();
  if (!anvil.found) throw new Error(`anvil is not available: ${anvil.reason}`);
  hookExit();
  const { chainId = 31337, args = [] } = options;
  // Given as undefined, it means a block per transaction: not the default's one a second.
  const blockTimeSeconds = 'blockTimeSeconds' in options ? options.blockTimeSeconds : 1;
  const argv = ['--host', HOST, '--port', String(port), '--chain-id', String(chainId)];
  if (blockTimeSeconds !== undefined) argv.push('--block-time', String(blockTimeSeconds));
  const child = spawn(anvil.binary, [...argv, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const log = { text: '' };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  const keep = (chunk: Buffer) => {
    log.text = (log.text + chunk.toString()).slice(-LOG_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('error', (error) => keep(Buffer.from(`spawn failed: ${error.message}\n`)));
  try {
    const bound = await listeningPort(log, child, exited);
    await answering(`http://${HOST}:${bound}`, log);
    return { child, exited, log, port: bound };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

/** anvil prints `Listening on 127.0.0.1:PORT` once bound: with `--port 0`, the port the kernel chose. */
async function listeningPort(
  log: { text: string },
  child: ChildProcess,
  exited: Promise<void>,
): Promise<number> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline) {
    const match = /Listening on [\d.]+:(\d+)/.exec(log.text);
    if (match) return Number(match[1]);
    if (gone)
      throw new Error(`anvil exited (${child.exitCode ?? child.signalCode}) before listening:\n${log.text}`);
    await sleep(10);
  }
  throw new Error(`anvil did not say where it listens within ${READY_TIMEOUT_MS} ms:\n${log.text}`);
}

async function answering(url: string, log: { text: string }): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      await rpc(url, 'eth_chainId', [], 1000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`anvil on ${url} does not answer (${error}):\n${log.text}`);
    }
    await sleep(20);
  }
}

async function rpc(
  url: string,
  method: string,
  params: readonly unknown[],
  timeoutMs: number,
): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
  if (body.error) throw new AnvilRpcError(body.error.code, body.error.message);
  return body.result;
}

/** The last resort: children killed synchronously when this process exits without closing them. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const child of live) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  });
}
