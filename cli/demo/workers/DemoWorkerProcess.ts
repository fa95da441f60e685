import { type ChildProcess, fork } from 'node:child_process';
import type { RecordedCalls } from '../CallRecorder.js';
import type { DemoWorkerConfig, FromWorker, ToWorker, WorkerStatus } from './workerProtocol.js';

/** How a worker process ended. */
export type WorkerEnd =
  /** It reported its figures and exited by itself after 'stop'. */
  | { kind: 'done'; calls: RecordedCalls }
  /** It exited without reporting (a crash), or had to be killed. */
  | { kind: 'crashed'; reason: string };

export interface DemoWorkerProcessOptions {
  /** The worker script (`dist/cli/demo/workers/demoWorker.js`). */
  script: URL;
  config: DemoWorkerConfig;
  /** An event line of the worker, or about the worker (it crashed). */
  onNote(text: string): void;
}

/** After 'stop', a worker that has not exited by then is killed: the demo never hangs on one. */
const STOP_GRACE_MS = 5000;
/** Lines of the worker's stderr kept to explain a crash. */
const STDERR_LINES = 20;

/**
 * The parent's side of one demo worker: forks it, keeps its latest status, and knows how it
 * ended. A worker that crashes is reported through `onNote` and `ended`, never waited on.
 *
 * @example
 * const worker = new DemoWorkerProcess({ script, config, onNote: (text) => display.note(text) });
 * await worker.ready;
 * worker.send({ type: 'go', head: cluster.head });
 * const end = await worker.stop();
 */
export class DemoWorkerProcess {
  /** `w1`, `w2`, ... */
  readonly name: string;
  /** Resolves when the worker has built its failover; rejects when it ends before. */
  readonly ready: Promise<void>;
  /** Resolves when the process has exited, however that came about. */
  readonly ended: Promise<WorkerEnd>;
  #status: WorkerStatus | undefined;
  #end: WorkerEnd | undefined;
  readonly #child: ChildProcess;
  readonly #stderr: string[] = [];
  #calls: RecordedCalls | undefined;
  #stopping = false;
  #isReady = false;

  constructor(options: DemoWorkerProcessOptions) {
    this.name = `w${options.config.index}`;
    // stdout is ignored: a stray console.log would scribble over the live table. stderr is kept
    // to explain a crash.
    this.#child = fork(options.script, [JSON.stringify(options.config)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
      this.#stderr.splice(0, Math.max(0, this.#stderr.length - STDERR_LINES));
    });
    this.ended = new Promise((resolve) => {
      const finish = (reason: string | undefined) => {
        if (this.#end) return;
        this.#end =
          this.#calls && reason === undefined ? { kind: 'done', calls: this.#calls } : crashed(reason);
        if (this.#end.kind === 'crashed') options.onNote(`${this.name} ${this.#end.reason}`);
        resolve(this.#end);
      };
      let spawned = false;
      this.#child.once('spawn', () => {
        spawned = true;
      });
      // After a spawn, 'error' means a failed send or kill, and 'close' still follows.
      this.#child.on('error', (error) => {
        if (!spawned) finish(`could not start: ${error.message}`);
      });
      // 'close', not 'exit': it comes after the last IPC message and stderr line are read.
      this.#child.once('close', (code, signal) => finish(this.#exitReason(code, signal)));
    });
    this.ready = new Promise((resolve, reject) => {
      this.#child.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          this.#isReady = true;
          resolve();
        } else if (message.type === 'note') options.onNote(`${this.name}: ${message.text}`);
        else {
          this.#status = message.status;
          if (message.type === 'done') this.#calls = message.calls;
        }
      });
      this.ended.then(() => reject(new Error(`${this.name} ended before it was ready`)));
    });
    // Nobody may be waiting for `ready` when a worker crashes later: not an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** It has said 'ready' (and may have ended since). */
  get isReady(): boolean {
    return this.#isReady;
  }

  /** The latest status it reported; undefined before the first one. */
  get status(): WorkerStatus | undefined {
    return this.#status;
  }

  /** Undefined while it runs. */
  get end(): WorkerEnd | undefined {
    return this.#end;
  }

  /** Sends a message unless the worker has gone. */
  send(message: ToWorker): void {
    if (this.#end === undefined && this.#child.connected) this.#child.send(message);
  }

  /** Asks it to stop, and kills it if it has not exited within a grace period. */
  async stop(): Promise<WorkerEnd> {
    this.#stopping = true;
    this.send({ type: 'stop' });
    const grace = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      return await this.ended;
    } finally {
      clearTimeout(grace);
    }
  }

  /** Undefined for a clean exit after 'stop'; otherwise what went wrong, for people. */
  #exitReason(code: number | null, signal: NodeJS.Signals | null): string | undefined {
    if (this.#stopping && this.#calls && code === 0) return undefined;
    if (this.#stopping && signal === 'SIGKILL')
      return `did not exit within ${STOP_GRACE_MS} ms of 'stop'; killed`;
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    const why = lastErrorLine(this.#stderr);
    return `crashed (${how})${why ? `: ${why}` : ''}`;
  }
}

function crashed(reason: string | undefined): WorkerEnd {
  return { kind: 'crashed', reason: reason ?? 'ended without reporting its figures' };
}

/** The line of a stack trace that says what happened (`Error: boom`), else the last line written. */
function lastErrorLine(lines: readonly string[]): string | undefined {
  return (
    lines.findLast((line) => /^[\w.]*(Error|Exception)\b.*:/.test(line.trim()))?.trim() ??
    lines.at(-1)?.trim()
  );
}
