import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { errorAnswer, type ParsedCall, RpcError } from '../simulated/jsonRpc.js';
import type { EvmFaults } from './faults.js';

/**
 * What the WebSocket side needs from its node. The node passes closures over its private state, so this
 * file imports nothing from the simulator at run time (no import cycle).
 */
export interface SimulatorWebSocketHost {
  /** Faults active now. */
  faults(): Readonly<EvmFaults>;
  /** Head this node reports now, `lag` and `stalled` applied. */
  head(): number;
  /** Block `number` as `eth_getBlockByNumber(number, false)` answers it. */
  block(number: number): Record<string, unknown>;
  /** Parses one message, counts its calls and reports them to `onRequest` listeners. */
  receive(text: string): { batched: boolean; calls: ParsedCall[] };
  /** Answers one call through the same dispatcher as HTTP: a JSON-RPC response object. */
  answer(call: ParsedCall, faults: Readonly<EvmFaults>): Promise<unknown>;
  /** True with probability `rate`, from the node's random source. */
  roll(rate: number | undefined): boolean;
  /** Aborted when the node closes: delayed answers and notifications are dropped. */
  signal: AbortSignal;
}

/** Subscription ids of one connection. */
type Subscriptions = Set<string>;

/**
 * Fields of `eth_getBlockByNumber` that a `newHeads` notification lacks: geth sends the header alone
 * (`RPCMarshalHeader`), without the body or the size of the whole block.
 */
const BODY_FIELDS = new Set(['transactions', 'uncles', 'withdrawals', 'size', 'totalDifficulty']);
/** What a broken proxy in front of the node sends instead of a JSON-RPC answer. */
const GARBAGE_FRAME = '<html><body><h1>502 Bad Gateway</h1></body></html>';

/**
 * The WebSocket side of one `EvmSimulator`: upgrades on the node's HTTP port, the node's JSON-RPC methods
 * (batches included) plus `eth_subscribe` / `eth_unsubscribe` for `newHeads`, with the node's fault knobs.
 *
 * Faults, per message: `blackhole` never answers, `latencyMs` delays the answer, `rateLimitRate` answers
 * every call of the message with `-32005`, `errorRate` with `-32603`, `garbage` sends an HTML text frame.
 * Notifications follow `lag` and `stalled`, are delayed by `latencyMs`, and are not sent while `blackhole`
 * or `stallSubscriptions` is set.
 */
export class SimulatorWebSocket {
  private readonly server = new WebSocketServer({ noServer: true, clientTracking: false });
  private readonly connections = new Map<WebSocket, Subscriptions>();
  /** Highest head notified (or current when a subscription began); a node never notifies a head twice. */
  private notifiedHead = -1;

  constructor(private readonly host: SimulatorWebSocketHost) {}

  /** WebSocket connections open now. */
  get open(): number {
    return this.connections.size;
  }

  /** Completes an HTTP upgrade; the node has already decided to accept it. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Terminates every connection at once (no close handshake); returns how many there were. */
  dropAll(): number {
    const count = this.connections.size;
    for (const ws of this.connections.keys()) ws.terminate();
    // 'close' events arrive later; the count must drop as soon as the sockets are gone.
    this.connections.clear();
    return count;
  }

  /** Notifies `newHeads` subscribers if the node's head moved past the last one notified. */
  headChanged(): void {
    const head = this.host.head();
    if (head <= this.notifiedHead) return;
    this.notifiedHead = head;
    const faults = this.host.faults();
    if (faults.blackhole || faults.stallSubscriptions) return;
    let header: Record<string, unknown> | undefined;
    for (const [ws, subscriptions] of this.connections) {
      if (subscriptions.size === 0) continue;
      header ??= Object.fromEntries(
        Object.entries(this.host.block(head)).filter(([key]) => !BODY_FIELDS.has(key)),
      );
      this.notify(ws, subscriptions, header, faults.latencyMs).catch(() => ws.terminate());
    }
  }

  private accept(ws: WebSocket): void {
    const subscriptions: Subscriptions = new Set();
    this.connections.set(ws, subscriptions);
    ws.on('message', (data) => {
      this.onMessage(ws, subscriptions, data).catch(() => ws.terminate());
    });
    // ws closes the connection itself after a protocol error; without a listener the error would throw.
    ws.on('error', () => undefined);
    ws.on('close', () => this.connections.delete(ws));
  }

  private async onMessage(ws: WebSocket, subscriptions: Subscriptions, data: RawData): Promise<void> {
    const { batched, calls } = this.host.receive(rawText(data));
    const faults = this.host.faults();
    if (faults.blackhole) return;
    if (faults.latencyMs && !(await this.delay(faults.latencyMs))) return;
    let answers: unknown[];
    if (this.host.roll(faults.rateLimitRate)) {
      answers = calls.map((call) => errorAnswer(call.id, new RpcError(-32005, 'rate limit exceeded')));
    } else if (this.host.roll(faults.errorRate)) {
      answers = calls.map((call) => errorAnswer(call.id, new RpcError(-32603, 'internal error')));
    } else if (faults.garbage) {
      send(ws, GARBAGE_FRAME);
      return;
    } else {
      // In order, and without a pause before a subscription is registered: a head mined right after
      // `eth_subscribe` was counted is notified.
      answers = [];
      for (const call of calls) {
        if (call.method === 'eth_subscribe') answers.push(this.subscribe(subscriptions, call));
        else if (call.method === 'eth_unsubscribe') answers.push(unsubscribe(subscriptions, call));
        else answers.push(await this.host.answer(call, faults));
      }
    }
    send(ws, JSON.stringify(batched ? answers : answers[0]));
  }

  private subscribe(subscriptions: Subscriptions, call: ParsedCall): unknown {
    const kind = Array.isArray(call.params) ? call.params[0] : undefined;
    if (kind !== 'newHeads') {
      // geth's words for a subscription kind it does not serve.
      return errorAnswer(
        call.id,
        new RpcError(-32601, `no ${JSON.stringify(kind)} subscription in eth namespace`),
      );
    }
    const id = `0x${randomBytes(16).toString('hex')}`;
    subscriptions.add(id);
    this.notifiedHead = Math.max(this.notifiedHead, this.host.head());
    return { jsonrpc: '2.0', id: call.id, result: id };
  }

  private async notify(
    ws: WebSocket,
    subscriptions: Subscriptions,
    header: Record<string, unknown>,
    latencyMs: number | undefined,
  ): Promise<void> {
    // Those subscribed at the head, not those who subscribed during the delay and have seen a newer one.
    const ids = [...subscriptions];
    if (latencyMs && !(await this.delay(latencyMs))) return;
    for (const subscription of ids) {
      if (!subscriptions.has(subscription)) continue;
      const params = { subscription, result: header };
      send(ws, JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params }));
    }
  }

  /** Waits `ms`; false once the node has closed. Unref'd: an open socket is what keeps a process alive. */
  private async delay(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.host.signal, ref: false });
      return true;
    } catch {
      return false;
    }
  }
}

function unsubscribe(subscriptions: Subscriptions, call: ParsedCall): unknown {
  const id = Array.isArray(call.params) ? call.params[0] : undefined;
  if (typeof id !== 'string' || !subscriptions.delete(id)) {
    return errorAnswer(call.id, new RpcError(-32000, 'subscription not found'));
  }
  return { jsonrpc: '2.0', id: call.id, result: true };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

/** Sends unless the connection has gone meanwhile (dropped, refused, closed). */
function send(ws: WebSocket, text: string): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(text);
}
