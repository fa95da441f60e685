import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';

/**
 * Largest answer read. `getHealth` and `getNetwork` answer in a few hundred bytes; a bigger body is a broken
 * node or a proxy's page, and reading it whole would hold it all in memory and on this thread.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** Where one endpoint's JSON-RPC requests go, and the headers that go with each. */
export interface JsonRpcTarget {
  /** `scheme://host:port`, the key of the agent's pool. */
  origin: string;
  /** Path and query (API keys often live there). */
  path: string;
  headers: Record<string, string>;
}

/**
 * A failed request, carrying the brand of the SDK's HTTP clients' errors (axios, and the fetch client of
 * SDK 16+) and their fields, so that `classifySorobanError` reads it as it reads theirs: a 429 with its
 * `Retry-After`, another status, a timeout (`ETIMEDOUT`), a refused connection (`ECONNREFUSED`).
 */
export class JsonRpcHttpError extends Error {
  readonly isAxiosError = true;
  readonly code: string | undefined;
  readonly response: { status: number; headers: IncomingHttpHeaders } | undefined;

  constructor(message: string, options: { code?: string; status?: number; headers?: IncomingHttpHeaders }) {
    super(message);
    this.name = 'JsonRpcHttpError';
    this.code = options.code;
    this.response =
      options.status === undefined ? undefined : { status: options.status, headers: options.headers ?? {} };
  }
}

/** An answer that cannot be read as JSON-RPC at all; its message names why. */
export class MalformedAnswerError extends Error {
  override readonly name = 'MalformedAnswerError';
}

// undici's own codes, in the words of the SDK's clients (what classifySorobanError and users know).
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * JSON-RPC over one undici {@link Agent}: one keep-alive pool per origin, no axios, no fetch. A request is a
 * POST of a fixed body; the answer's `result` is returned, its `error` thrown as the SDK throws it (the
 * plain `{ code, message }` object). What it does not do, unlike the SDK's axios client: follow redirects
 * (a 3xx is `HTTP 3xx`), use proxies from `HTTP_PROXY`, or run interceptors and agents set on a server's
 * `httpClient`.
 *
 * @example
 * const http = new JsonRpcHttp({ timeoutMs: 10_000 });
 * const target = { origin: 'https://rpc.example', path: '/', headers: { 'X-Api-Key': 'k' } };
 * const health = await http.call(target, 'getHealth', AbortSignal.timeout(800));
 * await http.close();
 */
export class JsonRpcHttp {
  readonly #agent: Agent;
  readonly #bodies = new Map<string, string>();

  /** `timeoutMs` bounds the connection, the wait for headers and each pause in a body. */
  constructor({ timeoutMs }: { timeoutMs: number }) {
    this.#agent = new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /** Calls `method` (no params) on `target` and returns the answer's `result`. */
  async call(target: JsonRpcTarget, method: string, signal: AbortSignal): Promise<unknown> {
    const { status, headers, text } = await this.#post(target, this.#bodyOf(method), signal);
    if (status < 200 || status > 299) throw new JsonRpcHttpError(`HTTP ${status}`, { status, headers });
    if (text === undefined) throw new MalformedAnswerError(`more than ${MAX_ANSWER_BYTES} bytes`);
    const answer = parseJson(text);
    // As the SDK does: an `error` member is thrown as it is; anything without a result resolves to nothing.
    if (typeof answer !== 'object' || answer === null) return undefined;
    if (Object.hasOwn(answer, 'error')) throw (answer as { error: unknown }).error;
    return (answer as { result?: unknown }).result;
  }

  /** Closes every connection at once: a probe still out fails, and nothing keeps the process alive. */
  close(): Promise<void> {
    return this.#agent.destroy();
  }

  #bodyOf(method: string): string {
    let body = this.#bodies.get(method);
    if (body === undefined) {
      // What the SDK sends: `params: null` for a method without parameters.
      body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: null });
      this.#bodies.set(method, body);
    }
    return body;
  }

  /**
   * One POST through a bare dispatch handler: no response stream and no promise per chunk. Through
   * undici's `request()`, the stream's extra turns of the event loop made probes wait behind a busy
   * process's other I/O (p50 11–33 ms against 2–6 ms with this handler, beside a loop of calls). The body
   * of a failed status is not kept; past {@link MAX_ANSWER_BYTES} a body stops being read and `text` is
   * undefined.
   */
  #post(target: JsonRpcTarget, body: string, signal: AbortSignal): Promise<PostAnswer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      let size = 0;
      let tooBig = false;
      const chunks: Buffer[] = [];
      // Settled at once: a request still waiting for its connection is dropped when it starts.
      const onAbort = () => {
        controller?.abort(signal.reason);
        settle(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (error: unknown, answer?: PostAnswer) => {
        signal.removeEventListener('abort', onAbort);
        if (answer) resolve(answer);
        else reject(signal.aborted ? signal.reason : asHttpError(error));
      };
      const done = () => {
        const ok = status >= 200 && status <= 299;
        const text = ok && !tooBig ? Buffer.concat(chunks, size).toString('utf8') : undefined;
        settle(undefined, { status, headers, text });
      };
      this.#agent.dispatch(
        { origin: target.origin, path: target.path, method: 'POST', headers: target.headers, body },
        {
          onRequestStart(started) {
            controller = started;
            if (signal.aborted) started.abort(signal.reason);
          },
          onResponseStart(_, statusCode, responseHeaders) {
            status = statusCode;
            headers = responseHeaders;
          },
          onResponseData(running, chunk) {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              // Dropping the connection is cheaper than reading the rest of a hostile answer.
              tooBig = true;
              running.abort(new MalformedAnswerError('too big'));
              done();
            } else if (status >= 200 && status <= 299) chunks.push(chunk);
          },
          onResponseEnd: done,
          onResponseError(_, error) {
            if (!tooBig) settle(error);
          },
        },
      );
    });
  }
}

/** What came back: a status, its headers, and the body as text (undefined when too big to read). */
interface PostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string | undefined;
}

/** undici's errors as the SDK's clients name them. */
function asHttpError(error: unknown): unknown {
  const { code } = (error ?? {}) as { code?: unknown };
  if (typeof code !== 'string') return new JsonRpcHttpError('network error', {});
  if (TIMEOUT_CODES.has(code)) return new JsonRpcHttpError('timeout', { code: 'ETIMEDOUT' });
  // The node closed the connection under the request (a reset, a cut answer).
  if (code === 'UND_ERR_SOCKET') return new JsonRpcHttpError('connection reset', { code: 'ECONNRESET' });
  return new JsonRpcHttpError(code, { code });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // As axios does by default, a body that is not JSON is left as text: an answer with no result.
    return undefined;
  }
}
