import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { readBody } from '../testing/simulated/http.js';
import { listen } from '../testing/simulated/listen.js';

/** One HTTP request as a hostile node sees it. */
export interface HostileRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path without the query, e.g. `/eth/v1/events`. */
  path: string;
  /** The request body, as text. */
  body: string;
  /** The JSON-RPC id of the call, echoed so that a client takes the answer for its own. */
  id: unknown;
  /** The JSON-RPC method, when the body is a JSON-RPC call. */
  method: string | undefined;
  /** Aborted when the client goes away or the server closes: timers of a behaviour stop on it. */
  signal: AbortSignal;
  /** Writes a chunk of the body, counted in `stats.bytesSent`; resolves once it may write more. */
  write(chunk: string | Buffer): Promise<void>;
}

/** What a hostile node does with one HTTP request. */
export type HttpBehaviour = (request: HostileRequest) => void | Promise<void>;
/** What a hostile node does with one WebSocket connection. */
export type SocketBehaviour = (ws: WebSocket) => void;

/** What a node does with HTTP requests and WebSocket connections; without `ws`, upgrades are refused. */
export interface Behaviours {
  http?: HttpBehaviour;
  ws?: SocketBehaviour;
}

export interface HostileStats {
  requests: number;
  /** Response body bytes handed to the sockets. */
  bytesSent: number;
  /** Responses whose client went away before the body was complete. */
  clientsGone: number;
  /** WebSocket messages received. */
  socketMessages: number;
}

export interface HostileServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** `ws://127.0.0.1:PORT/` */
  readonly wsUrl: string;
  readonly stats: HostileStats;
  /**
   * Changes what the node does from now on, and drops every open connection, as a node restarting into a
   * broken state would: open streams and sockets meet the new behaviour when they reconnect.
   */
  become(behaviours: Behaviours): void;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/**
 * A node that misbehaves on the wire, on 127.0.0.1 port 0: every HTTP request goes to `http`, every
 * WebSocket connection to `ws`. Closing destroys every socket, which ends every behaviour's timers
 * through its request's signal.
 *
 * @example
 * const node = await startHostileServer({ http: proxy(healthy.url) }); // healthy at first
 * onTestFinished(() => node.close());
 * node.become({ http: htmlPage() });                                  // then a proxy error page
 */
export async function startHostileServer(initial: Behaviours): Promise<HostileServer> {
  let behaviours = initial;
  const stats: HostileStats = { requests: 0, bytesSent: 0, clientsGone: 0, socketMessages: 0 };
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const server = createServer((req, res) => {
    stats.requests += 1;
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) stats.clientsGone += 1;
      gone.abort();
    });
    const signal = AbortSignal.any([gone.signal, closing.signal]);
    const write = (chunk: string | Buffer) =>
      new Promise<void>((resolve) => {
        if (res.destroyed) return resolve();
        stats.bytesSent += Buffer.byteLength(chunk);
        if (res.write(chunk)) return resolve();
        const done = () => {
          res.off('drain', done).off('close', done);
          resolve();
        };
        res.on('drain', done).on('close', done);
      });
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      await behaviours.http?.({ req, res, path, body, ...parseCall(body), signal, write });
    })().catch(() => res.destroy());
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const onSocket = behaviours.ws;
    if (!onSocket) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.on('message', () => {
        stats.socketMessages += 1;
      });
      onSocket(ws);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  const dropConnections = () => {
    for (const ws of wss.clients) ws.terminate();
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/`,
    stats,
    become(next) {
      behaviours = next;
      dropConnections();
    },
    close: () =>
      new Promise((resolve) => {
        closing.abort();
        dropConnections();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

function parseCall(body: string): { id: unknown; method: string | undefined } {
  try {
    const call = JSON.parse(body) as { id?: unknown; method?: unknown };
    return { id: call.id ?? null, method: typeof call.method === 'string' ? call.method : undefined };
  } catch {
    return { id: null, method: undefined };
  }
}

/** A JSON-RPC success answer to `request` with `result`, as text. */
export function rpcAnswer(request: Pick<HostileRequest, 'id'>, result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id: request.id, result });
}

/** Answers every request with 200 and the JSON `body(request)` makes. */
export function json(body: (request: HostileRequest) => string): HttpBehaviour {
  return (request) => {
    request.res.writeHead(200, { 'Content-Type': 'application/json' }).end(body(request));
  };
}

/** What a misconfigured proxy or a captive portal answers: 200 and an HTML page. */
export function htmlPage(): HttpBehaviour {
  return ({ res }) => {
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end('<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>');
  };
}

/** 200 with the first half of the JSON `body(request)` makes: a complete HTTP answer, cut JSON. */
export function truncatedJson(body: (request: HostileRequest) => string): HttpBehaviour {
  return json((request) => {
    const text = body(request);
    return text.slice(0, Math.floor(text.length / 2));
  });
}

/**
 * 200 with a JSON document of `bytes` bytes, `{"padding":"aaa…"}`: valid, cheap to parse, and no answer.
 * Written in 64 KiB chunks at the pace the client reads, so the server itself holds one chunk.
 */
export function hugeBody(bytes: number): HttpBehaviour {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const head = '{"padding":"';
  const tail = '"}';
  return async ({ res, signal, write }) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(bytes) });
    await write(head);
    let left = bytes - head.length - tail.length;
    for (; left >= chunk.length && !signal.aborted; left -= chunk.length) await write(chunk);
    if (!signal.aborted) res.end(`${'a'.repeat(left)}${tail}`);
  };
}

/** Sends the headers at once, then `body(request)` one byte every `intervalMs`: a valid answer, hours late. */
export function drip(body: (request: HostileRequest) => string, intervalMs = 100): HttpBehaviour {
  return (request) => {
    const { res, signal, write } = request;
    const text = body(request);
    res.writeHead(200, { 'Content-Type': contentTypeOf(request) });
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      void write(text[sent] ?? '');
      sent += 1;
      if (sent >= text.length) {
        clearInterval(timer);
        res.end();
      }
    }, intervalMs);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  };
}

/** Sends 200 headers that promise a body, then resets the connection (TCP RST). */
export function resetAfterHeaders(): HttpBehaviour {
  return (request) => {
    request.res.writeHead(200, { 'Content-Type': contentTypeOf(request), 'Content-Length': '512' });
    request.res.flushHeaders();
    setImmediate(() => request.res.socket?.resetAndDestroy());
  };
}

/**
 * An event stream whose `data:` line grows to `bytes` bytes with no newline, then keeps growing by one
 * byte every `intervalMs`: the line never ends, and each byte looks like activity.
 */
export function sseEndlessLine(bytes: number, intervalMs = 100): HttpBehaviour {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  return async ({ res, signal, write }) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    await write('event: head\ndata: ');
    for (let sent = 0; sent < bytes && !signal.aborted; sent += chunk.length) await write(chunk);
    const timer = setInterval(() => void write('a'), intervalMs);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  };
}

/** An event stream that sends `text` (an event, a comment) at once and every `intervalMs` after. */
export function sseEvery(text: string, intervalMs = 20): HttpBehaviour {
  return ({ res, signal, write }) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    void write(text);
    const timer = setInterval(() => void write(text), intervalMs);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  };
}

/** Answers as the node at `upstreamUrl` does: forwards each request and streams the answer back. */
export function proxy(upstreamUrl: string): HttpBehaviour {
  return async ({ req, res, body, signal, write }) => {
    const answer = await fetch(new URL((req.url ?? '/').slice(1), upstreamUrl), {
      method: req.method,
      headers: { 'Content-Type': req.headers['content-type'] ?? 'application/json' },
      body: req.method === 'GET' ? undefined : body,
      signal,
    });
    res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'text/plain' });
    res.flushHeaders();
    for await (const chunk of answer.body ?? []) await write(Buffer.from(chunk));
    res.end();
  };
}

/** Sends each request to the behaviour of the first route its path starts with, else to `otherwise`. */
export function byPath(routes: Record<string, HttpBehaviour>, otherwise: HttpBehaviour): HttpBehaviour {
  return (request) => {
    const match = Object.keys(routes).find((prefix) => request.path.startsWith(prefix));
    return (match ? routes[match]! : otherwise)(request);
  };
}

/**
 * A socket that answers every message with garbage: an HTML page, a binary blob, JSON that is no
 * JSON-RPC answer, and an answer to an id nobody asked for. One garbage frame arrives before any call.
 */
export function garbageFrames(): SocketBehaviour {
  const garbage = [
    '<html><body><h1>502 Bad Gateway</h1></body></html>',
    Buffer.from([0xff, 0x00, 0xfe, 0x01, 0x80]),
    '{"hello":',
    '{"jsonrpc":"2.0","id":"nobody-asked","result":"0x1"}',
  ];
  return (ws) => {
    ws.send(garbage[0]!);
    ws.on('message', () => {
      for (const frame of garbage) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    });
  };
}

/**
 * A socket that answers every call by asking `upstreamUrl` (a healthy node's HTTP URL) — except
 * `eth_subscribe`, which it never answers.
 */
export function neverAnswersSubscribe(upstreamUrl: string): SocketBehaviour {
  return (ws) => {
    ws.on('message', (data: RawData) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      const call = parseCall(text);
      if (call.method === 'eth_subscribe') return;
      void fetch(upstreamUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: text,
      })
        .then((response) => response.text())
        .then((answer) => ws.readyState === WebSocket.OPEN && ws.send(answer))
        .catch(() => ws.terminate());
    });
  };
}

function contentTypeOf(request: HostileRequest): string {
  return request.path.startsWith('/eth/v1/events') ? 'text/event-stream' : 'application/json';
}

let collectGarbage: (() => void) | undefined;

/** The heap in use after a full garbage collection: what is really held, not garbage waiting to go. */
export function heapUsedAfterGc(): number {
  if (!collectGarbage) {
    // A new context created after the flag is set has `gc`; the test process need not start with it.
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc') as () => void;
  }
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
