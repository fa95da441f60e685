/**
 * Errors thrown by switchyard-rpc. Every error has a stable `code`, a one-line
 * `shortMessage` and optional `details`; none of them ever holds an endpoint's
 * credentials (endpoints are named by label or redacted URL).
 */

const brand = Symbol.for('switchyard-rpc.error');

export type SwitchyardErrorCode =
  | 'CONFIG_INVALID'
  | 'ALL_ENDPOINTS_FAILED'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'STATE_STORE_FAILED'
  | 'ENDPOINT_FAILED'
  | 'STREAM_FAILED'
  | 'ALL_STREAMS_FAILED';

export interface SwitchyardErrorOptions {
  details?: string | undefined;
  cause?: unknown;
  metaMessages?: string[] | undefined;
}

/**
 * Base class of every error switchyard-rpc throws.
 *
 * `instanceof` works across two copies of the package (a `Symbol.for` brand),
 * so a user's `err instanceof SwitchyardError` holds even with duplicated installs.
 *
 * @example
 * try { await server.getLatestLedger() }
 * catch (err) { if (err instanceof SwitchyardError) console.log(err.code, err.shortMessage) }
 */
export class SwitchyardError extends Error {
  override name = 'SwitchyardError';
  readonly code: SwitchyardErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[];

  constructor(code: SwitchyardErrorCode, shortMessage: string, options: SwitchyardErrorOptions = {}) {
    const lines = [shortMessage, ...(options.metaMessages ?? [])];
    if (options.details) lines.push(`Details: ${options.details}`);
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages ?? [];
    Object.defineProperty(this, brand, { value: true });
  }

  // `this` is the class `instanceof` was asked about: subclasses keep the normal prototype check.
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === SwitchyardError) return typeof value === 'object' && value !== null && brand in value;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * Invalid options, thrown at construction. `field` names the option at fault.
 *
 * @example
 * withFailover(server, { endpoints: [] }) // ConfigError: endpoints: must list at least one endpoint
 */
export class ConfigError extends SwitchyardError {
  override name = 'ConfigError';
  readonly field: string;

  constructor(field: string, problem: string, options: SwitchyardErrorOptions = {}) {
    super('CONFIG_INVALID', `${field}: ${problem}`, options);
    this.field = field;
  }
}

/** What happened at one endpoint during a call. */
export interface EndpointAttempt {
  /** The endpoint's label (never its raw URL). */
  endpoint: string;
  /** `failed`: tried and failed; `skipped`: not tried because it is known to be unavailable. */
  outcome: 'failed' | 'skipped';
  /** Redacted, human-readable reason. */
  reason: string;
}

function describeAttempts(attempts: readonly EndpointAttempt[]): string[] {
  return attempts.map((a) => `- ${a.endpoint}: ${a.outcome} (${a.reason})`);
}

/**
 * No endpoint could serve the call. `attempts` lists every endpoint, tried or skipped.
 *
 * @example
 * catch (err) { if (err instanceof AllEndpointsFailedError) console.table(err.attempts) }
 */
export class AllEndpointsFailedError extends SwitchyardError {
  override name = 'AllEndpointsFailedError';
  readonly attempts: readonly EndpointAttempt[];

  constructor(attempts: readonly EndpointAttempt[], options: SwitchyardErrorOptions = {}) {
    super('ALL_ENDPOINTS_FAILED', 'Every endpoint failed or is unavailable.', {
      ...options,
      metaMessages: describeAttempts(attempts),
    });
    this.attempts = attempts;
  }
}

/**
 * The call did not finish within its deadline (`timeoutMs`). Distinct from an abort by
 * the caller, which rejects with the caller's `signal.reason`.
 */
export class TimeoutError extends SwitchyardError {
  override name = 'TimeoutError';
  readonly timeoutMs: number;
  readonly attempts: readonly EndpointAttempt[];

  constructor(timeoutMs: number, attempts: readonly EndpointAttempt[] = []) {
    super('TIMEOUT', `The call did not finish within ${timeoutMs} ms.`, {
      metaMessages: describeAttempts(attempts),
    });
    this.timeoutMs = timeoutMs;
    this.attempts = attempts;
  }
}

/** The instance was closed; it takes no new calls. */
export class ClosedError extends SwitchyardError {
  override name = 'ClosedError';

  constructor(what = 'failover') {
    super('CLOSED', `This ${what} instance is closed.`);
  }
}

/**
 * One endpoint's failure, with a redacted reason. Used as the `cause` of the errors above
 * instead of the raw client error, whose request config may hold URLs and API keys.
 */
export class EndpointError extends SwitchyardError {
  override name = 'EndpointError';
  readonly endpoint: string;
  /** HTTP status when the endpoint answered with one. */
  readonly status: number | undefined;

  constructor(endpoint: string, reason: string, status?: number) {
    super('ENDPOINT_FAILED', `${endpoint}: ${reason}`);
    this.endpoint = endpoint;
    this.status = status;
  }
}

/**
 * Why a head stream stopped:
 * - `malformed`: an event whose data could not be understood;
 * - `unexpected-event`: an event of a type that was not subscribed to;
 * - `http-status`: the node answered the subscription with an error status (e.g. 503 while syncing);
 * - `stalled`: no event and no keep-alive for longer than the stall timeout;
 * - `ended`: the node closed the stream;
 * - `network`: the connection failed or broke.
 */
export type StreamFailure =
  | 'malformed'
  | 'unexpected-event'
  | 'http-status'
  | 'stalled'
  | 'ended'
  | 'network';

/**
 * One endpoint's head stream failed. The monitor restarts it; this error reaches users only in
 * logs and `status()`, as the redacted `lastError`.
 *
 * @example
 * throw new StreamError('bn-1', 'malformed', 'head event without a block root');
 */
export class StreamError extends SwitchyardError {
  override name = 'StreamError';
  readonly endpoint: string;
  readonly reason: StreamFailure;
  /** HTTP status when the node answered with one. */
  readonly status: number | undefined;

  constructor(endpoint: string, reason: StreamFailure, details?: string, status?: number) {
    super('STREAM_FAILED', `${endpoint}: stream ${reason}`, { details });
    this.endpoint = endpoint;
    this.reason = reason;
    this.status = status;
  }
}

/**
 * Every endpoint's head stream has been down for `cycles` retry cycles in a row. Raised as the
 * monitor's `error` event; the monitor keeps retrying at every slot.
 *
 * @example
 * monitor.on('error', ({ error }) => { if (error instanceof AllStreamsFailedError) page(error.attempts) });
 */
export class AllStreamsFailedError extends SwitchyardError {
  override name = 'AllStreamsFailedError';
  readonly cycles: number;
  readonly attempts: readonly EndpointAttempt[];

  constructor(cycles: number, attempts: readonly EndpointAttempt[]) {
    super('ALL_STREAMS_FAILED', `Every head stream has been down for ${cycles} retry cycles.`, {
      metaMessages: describeAttempts(attempts),
    });
    this.cycles = cycles;
    this.attempts = attempts;
  }
}
