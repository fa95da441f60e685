import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type Endpoint, scrubSecrets } from '../../src/endpoint.js';
import type {
  AttemptEnd,
  CallKind,
  CallWatch,
  FailoverObserver,
  ObservedAttempt,
  ObservedCall,
} from '../../src/index.js';
import { memo } from './memo.js';

/** What the spans of one instance share. */
export interface CallTracerOptions {
  tracer: Tracer;
  /** `rpc.system` / `rpc.system.name` of every call span. */
  rpcSystem: string;
  /** `switchyard.client` of every span, when several instances report to one backend. */
  client: string | undefined;
  /** The instance's endpoints now: an error message is scrubbed of their URLs and keys. */
  endpoints: () => readonly Endpoint[];
}

/**
 * Turns every call into a `switchyard.call` span (kind client, a child of the caller's active span)
 * with one `switchyard.attempt` child span per request: spans rather than span events, because attempts
 * have a duration, overlap when hedged, and are the parent of whatever the HTTP client traces beneath
 * them (the attempt's span is current while its request is sent). Endpoints are named by label; the
 * only address shown is the host (`server.address`), as `redactUrl` shows it.
 *
 * @example
 * const stop = failover.observe(callTracer({ tracer, rpcSystem: 'jsonrpc', client: undefined, endpoints }));
 */
export function callTracer(options: CallTracerOptions): FailoverObserver {
  const base: Attributes = {
    'rpc.system': options.rpcSystem,
    'rpc.system.name': options.rpcSystem,
    ...(options.client === undefined ? {} : { 'switchyard.client': options.client }),
  };
  // One options object per kind and method, built once: a call allocates none.
  const optionsOf = memo((key: string): SpanOptions => {
    const [kind, method] = key.split(' ', 2) as [CallKind, string | undefined];
    return {
      kind: SpanKind.CLIENT,
      attributes: { ...base, ...(method ? { 'rpc.method': method } : {}), 'switchyard.call.kind': kind },
    };
  });
  return {
    call(call) {
      const parent = context.active();
      const span = options.tracer.startSpan('switchyard.call', optionsOf(keyOf(call)), parent);
      // Sampled out, or no SDK registered: nothing to record, and no attempt spans to make.
      if (!span.isRecording()) {
        span.end();
        return undefined;
      }
      return new TracedCall(span, trace.setSpan(parent, span), options);
    },
  };
}

const keyOf = ({ kind, method }: ObservedCall) => (method === undefined ? kind : `${kind} ${method}`);

/** The spans of one call. */
class TracedCall implements CallWatch {
  readonly #span: Span;
  readonly #context: Context;
  readonly #options: CallTracerOptions;
  readonly #tried: string[] = [];
  #hedged = false;
  #winner: Endpoint | undefined;

  constructor(span: Span, spanContext: Context, options: CallTracerOptions) {
    this.#span = span;
    this.#context = spanContext;
    this.#options = options;
  }

  attempt({ endpoint, index, hedge }: ObservedAttempt) {
    this.#tried.push(endpoint.label);
    if (hedge) this.#hedged = true;
    const span = this.#options.tracer.startSpan(
      'switchyard.attempt',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'switchyard.endpoint': endpoint.label,
          'switchyard.attempt.index': index,
          'switchyard.attempt.hedge': hedge,
          ...serverOf(endpoint),
        },
      },
      this.#context,
    );
    const attemptContext = trace.setSpan(this.#context, span);
    return {
      run: <R>(send: () => R): R => context.with(attemptContext, send),
      end: (end: AttemptEnd) => {
        if (end.ending === 'won') this.#winner = endpoint;
        endAttempt(span, end);
      },
    };
  }

  end({ result, error }: { result: 'ok' | 'failed'; error: unknown }): void {
    const span = this.#span;
    span.setAttributes({
      'switchyard.endpoints_tried': this.#tried,
      'switchyard.attempts': this.#tried.length,
      'switchyard.hedged': this.#hedged,
      'switchyard.outcome': result,
      ...(this.#winner ? { 'switchyard.winner': this.#winner.label, ...serverOf(this.#winner) } : {}),
    });
    if (result === 'failed') {
      const name = error instanceof Error ? error.name : typeof error;
      span.setAttribute('error.type', name);
      const message = error instanceof Error ? error.message : String(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: scrubSecrets(message, this.#options.endpoints()),
      });
    }
    span.end();
  }
}

function endAttempt(span: Span, { ending, reason, errorKind }: AttemptEnd): void {
  span.setAttribute('switchyard.attempt.outcome', ending);
  if (reason !== undefined) span.setAttribute('switchyard.attempt.reason', reason);
  if (errorKind !== undefined) span.setAttribute('error.type', errorKind);
  // A hedge that lost the race is no error: it was abandoned on purpose.
  if (ending === 'failed' || ending === 'rejected' || ending === 'stale')
    span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  span.end();
}

const servers = new WeakMap<Endpoint, Attributes>();

/** The host and port of an endpoint: what `redactUrl` also shows. Parsed once per endpoint. */
function serverOf(endpoint: Endpoint): Attributes {
  let attributes = servers.get(endpoint);
  if (!attributes) {
    const url = new URL(endpoint.url);
    attributes = {
      'server.address': url.hostname,
      ...(url.port === '' ? {} : { 'server.port': Number(url.port) }),
    };
    servers.set(endpoint, attributes);
  }
  return attributes;
}
