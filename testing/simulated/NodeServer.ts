import { setMaxListeners } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { listen } from './listen.js';

/** How a `NodeServer` asks its owner what it wants. */
export interface NodeServerHooks {
  /** Read at every transition: whether the node should refuse connections now. */
  refusing: () => boolean | undefined;
  /**
   * Called when the listener is about to close, before connections are destroyed, so the owner can drop
   * what it tracks itself (upgraded WebSockets).
   */
  onDrop?: () => void;
}

/**
 * The chain-independent life of one simulated node's HTTP server: binding an ephemeral loopback port,
 * tracking connections, refusing (stop listening, drop connections, later re-listen on the same port) and a
 * final close. Simulators own one and keep only their JSON-RPC logic.
 *
 * @example
 * const node = new NodeServer('node-0', (req, res) => handle(req, res), { refusing: () => faults.refuse });
 * await node.start();
 * faults.refuse = true;
 * await node.sync(); // ECONNREFUSED until refuse is cleared and sync() runs again
 * await node.close();
 */
export class NodeServer {
  /** The underlying server, for extra listeners such as `upgrade`. */
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly abort = new AbortController();
  private boundPort = 0;
  private started: Promise<void> | undefined;
  private closedFlag = false;
  private transition: Promise<void> = Promise.resolve();
  private accepted = 0;

  /**
   * @param name - Used in error messages.
   * @param handler - Answers every request.
   * @param hooks - The owner's view of the wanted state.
   */
  constructor(
    private readonly name: string,
    handler: RequestListener,
    private readonly hooks: NodeServerHooks,
  ) {
    this.server = createServer(handler);
    // Every delayed answer waits on this one signal: its listeners grow with the requests in flight.
    setMaxListeners(0, this.abort.signal);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.accepted += 1;
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Aborted by `close()`: delayed answers wait on it so that closing does not wait for them. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Base URL, `http://127.0.0.1:PORT/`; stays the same across `refuse` toggles. */
  get url(): string {
    if (this.boundPort === 0) throw new Error(`${this.name} has not been started`);
    return `http://127.0.0.1:${this.boundPort}/`;
  }

  /** TCP port, 0 before `start()`. */
  get port(): number {
    return this.boundPort;
  }

  /** Whether the server accepts connections right now. */
  get listening(): boolean {
    return this.server.listening;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Connections open right now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Connections accepted since construction or the last `resetAccepted()`. */
  get acceptedConnections(): number {
    return this.accepted;
  }

  /** Zeroes `acceptedConnections`. */
  resetAccepted(): void {
    this.accepted = 0;
  }

  /** Binds an ephemeral port once (later calls share the first outcome); honours a `refuse` set before. */
  start(): Promise<void> {
    this.started ??= (async () => {
      if (this.closedFlag) throw new Error(`${this.name} is closed`);
      await listen(this.server, 0);
      this.boundPort = (this.server.address() as { port: number }).port;
      await this.sync();
    })();
    return this.started;
  }

  /**
   * Aborts `signal`, stops listening and destroys every connection. Final. The flag and the abort happen
   * synchronously, before the returned promise is awaited, so callers can tear down their own state in between.
   */
  close(): Promise<void> {
    this.closedFlag = true;
    this.abort.abort();
    return this.sync();
  }

  /**
   * Brings the listener in line with the wanted state (started, not closed, not refusing): stops listening and
   * drops connections, or listens again on the same port. Transitions run one at a time, in call order.
   */
  sync(): Promise<void> {
    const next = this.transition.then(async () => {
      const wanted = this.boundPort !== 0 && !this.closedFlag && !this.hooks.refusing();
      if (wanted && !this.server.listening) await listen(this.server, this.boundPort);
      if (!wanted && this.server.listening) {
        const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
        this.hooks.onDrop?.();
        for (const socket of this.sockets) socket.destroy();
        // 'close' events arrive a tick later; the count must drop as soon as the sockets are gone.
        this.sockets.clear();
        await closing;
      }
    });
    // One failed transition must not wedge every later one.
    this.transition = next.catch(() => undefined);
    return next;
  }
}
