// A private redis-server for the tests and the state store benchmark: a free port on 127.0.0.1
// (never a fixed one), its own temp directory, no persistence. Plain JavaScript so that both the
// vitest suites (through test/redisServer.ts) and `node bench/stateStore.mjs` can import it; its
// types are in redisProcess.d.mts.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';
// Generous: a redis-server answers within milliseconds, but a loaded 2-core machine may be slow to fork.
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
// A port picked free can be taken by another process before redis binds it: try again, on a new port.
const START_ATTEMPTS = 3;
// Kept for error messages: the end of the server's own log.
const LOG_LIMIT = 16 * 1024;

/** The redis-server executable: `$REDIS_SERVER` when set, else `redis-server` on PATH. */
export function redisServerBinary() {
  return process.env.REDIS_SERVER || 'redis-server';
}

/**
 * Whether a redis-server can be run here, without starting one. Never throws.
 * @returns {{ found: true, binary: string, version: string } | { found: false, binary: string, reason: string }}
 */
export function findRedisServer(binary = redisServerBinary()) {
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    return { found: true, binary, version };
  } catch (error) {
    const reason =
      error?.code === 'ENOENT'
        ? `${binary} is not installed or not on PATH (Debian/Ubuntu: apt-get install redis-server; or set REDIS_SERVER=/path/to/redis-server)`
        : `${binary} --version failed: ${error?.message ?? error}`;
    return { found: false, binary, reason };
  }
}

/** A port that was free a moment ago on 127.0.0.1: bound by a temporary server on port 0, then released. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * One PING over a raw socket. Resolves true on +PONG, false on anything else (refused, no answer,
 * an error reply such as -LOADING or -NOAUTH for a wrong password).
 */
export function ping(port, password, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      const command = (...args) =>
        `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
      socket.write(`${password === undefined ? '' : command('AUTH', password)}${command('PING')}`);
    });
    socket.on('data', (chunk) => {
      reply += chunk;
      const lines = reply.split('\r\n');
      const expected = password === undefined ? 1 : 2;
      if (lines.length <= expected) return;
      done(lines[expected - 1] === '+PONG');
    });
    socket.once('close', () => done(false));
  });
}

/** Servers still running, killed if this process exits without stopping them. */
const running = new Set();
let exitHookInstalled = false;
function killLeftoversOnExit() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a private redis-server and waits until it answers PING.
 * @param {{ password?: string, binary?: string, args?: string[] }} [options]
 */
export async function startRedisServer(options = {}) {
  const binary = options.binary ?? redisServerBinary();
  const { password } = options;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));
  let child;
  let log = '';
  let port = 0;
  let stopped = false;

  const launch = async () => {
    log = '';
    const args = [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--logfile',
      '',
      ...(password === undefined ? [] : ['--requirepass', password]),
      ...(options.args ?? []),
    ];
    const spawned = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      log = (log + chunk).slice(-LOG_LIMIT);
    };
    spawned.stdout.setEncoding('utf8').on('data', keep);
    spawned.stderr.setEncoding('utf8').on('data', keep);
    const spawnError = new Promise((resolve) => spawned.once('error', resolve));
    child = spawned;
    running.add(spawned);
    killLeftoversOnExit();
    spawned.once('exit', () => running.delete(spawned));
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (;;) {
      const error = await Promise.race([spawnError, new Promise((r) => setTimeout(r, 0, undefined))]);
      if (error) throw new Error(`could not run ${binary}: ${error.message}`);
      if (spawned.exitCode !== null || spawned.signalCode !== null) {
        throw new Error(
          `${binary} on port ${port} exited (${spawned.signalCode ?? `code ${spawned.exitCode}`}):\n${log}`,
        );
      }
      if (await ping(port, password)) return;
      if (performance.now() > deadline) {
        spawned.kill('SIGKILL');
        await exited(spawned);
        throw new Error(
          `${binary} on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${log}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await launch();
        break;
      } catch (error) {
        // Another attempt only where the port was taken meanwhile; anything else will fail again.
        if (attempt >= START_ATTEMPTS || !/address already in use/i.test(log)) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  const server = {
    host: HOST,
    port,
    url: `redis://${auth}${HOST}:${port}`,
    dir,
    get pid() {
      return child.pid;
    },
    /** True while the server process is alive. */
    running: () => child.exitCode === null && child.signalCode === null,
    /** The end of the server's own log (for failure messages). */
    log: () => log,
    ping: () => ping(port, password),
    /** SIGKILL, as a crash or an outage: clients see their connections reset. The temp directory stays. */
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    /** Starts the server again on the same port (stops it first if it is running). Its data is gone. */
    async restart() {
      if (stopped) throw new Error('restart() after stop()');
      if (server.running()) {
        child.kill('SIGTERM');
        await exited(child);
      }
      await launch();
    },
    /** Stops the server (SIGTERM, SIGKILL if it lingers) and removes its temp directory. Idempotent. */
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server.running()) {
        const gone = exited(child);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
