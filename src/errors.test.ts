import { describe, expect, it } from 'vitest';
import {
  AllEndpointsFailedError,
  ClosedError,
  ConfigError,
  type EndpointAttempt,
  EndpointError,
  SwitchyardError,
  TimeoutError,
} from './errors.js';

const attempts: EndpointAttempt[] = [
  { endpoint: 'own-node', outcome: 'failed', reason: 'HTTP 503' },
  { endpoint: 'provider-a', outcome: 'skipped', reason: 'down' },
  { endpoint: 'provider-b', outcome: 'failed', reason: 'timed out after 2000 ms' },
];

describe('SwitchyardError', () => {
  it('builds its message from shortMessage, metaMessages and details', () => {
    const error = new SwitchyardError('ENDPOINT_FAILED', 'Something broke.', {
      metaMessages: ['- first', '- second'],
      details: 'socket hang up',
    });
    expect(error.code).toBe('ENDPOINT_FAILED');
    expect(error.shortMessage).toBe('Something broke.');
    expect(error.details).toBe('socket hang up');
    expect(error.metaMessages).toEqual(['- first', '- second']);
    expect(error.message).toBe('Something broke.\n- first\n- second\nDetails: socket hang up');
    expect(error.name).toBe('SwitchyardError');
    expect(error).toBeInstanceOf(Error);
  });

  it('has just the short message, no details and no meta messages by default', () => {
    const error = new SwitchyardError('CLOSED', 'Closed.');
    expect(error.message).toBe('Closed.');
    expect(error.details).toBeUndefined();
    expect(error.metaMessages).toEqual([]);
    expect('cause' in error).toBe(false);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('root');
    expect(new SwitchyardError('TIMEOUT', 'Late.', { cause }).cause).toBe(cause);
  });

  it('is recognised through the shared brand, as if thrown by another copy of the package', () => {
    const foreign = new Error('from another copy');
    Object.defineProperty(foreign, Symbol.for('switchyard-rpc.error'), { value: true });
    expect(foreign).toBeInstanceOf(SwitchyardError);
    expect(foreign instanceof SwitchyardError).toBe(true);
  });

  it('carries the brand itself, so another copy recognises it', () => {
    const error = new ConfigError('timeoutMs', 'must be positive');
    expect(Symbol.for('switchyard-rpc.error') in error).toBe(true);
  });

  it('is not matched by unbranded values', () => {
    expect(new Error('plain') instanceof SwitchyardError).toBe(false);
    expect({ code: 'TIMEOUT', shortMessage: 'x' } instanceof SwitchyardError).toBe(false);
    expect((null as unknown) instanceof SwitchyardError).toBe(false);
    expect(('CONFIG_INVALID' as unknown) instanceof SwitchyardError).toBe(false);
  });
});

describe('subclasses', () => {
  it('are all SwitchyardErrors and Errors', () => {
    for (const error of [
      new ConfigError('f', 'bad'),
      new AllEndpointsFailedError(attempts),
      new TimeoutError(1000),
      new ClosedError(),
      new EndpointError('own-node', 'HTTP 500', 500),
    ]) {
      expect(error).toBeInstanceOf(SwitchyardError);
      expect(error).toBeInstanceOf(Error);
    }
  });

  it('still discriminate with instanceof', () => {
    const config = new ConfigError('timeoutMs', 'must be positive');
    expect(config instanceof ConfigError).toBe(true);
    expect(config instanceof TimeoutError).toBe(false);
    expect(config instanceof ClosedError).toBe(false);
    expect(config instanceof AllEndpointsFailedError).toBe(false);
    expect(new TimeoutError(5) instanceof ConfigError).toBe(false);
  });

  it('do not accept a merely branded object as a subclass instance', () => {
    const foreign = new Error('from another copy');
    Object.defineProperty(foreign, Symbol.for('switchyard-rpc.error'), { value: true });
    expect(foreign instanceof ConfigError).toBe(false);
  });

  it('ConfigError names the field in its code, message and `field`', () => {
    const error = new ConfigError('endpoints[1].url', 'is not a valid URL');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('endpoints[1].url');
    expect(error.shortMessage).toBe('endpoints[1].url: is not a valid URL');
    expect(error.message).toBe('endpoints[1].url: is not a valid URL');
    expect(error.name).toBe('ConfigError');
  });

  it('AllEndpointsFailedError lists every endpoint attempt, tried or skipped', () => {
    const error = new AllEndpointsFailedError(attempts, { details: 'after 3 attempts' });
    expect(error.code).toBe('ALL_ENDPOINTS_FAILED');
    expect(error.attempts).toBe(attempts);
    expect(error.metaMessages).toEqual([
      '- own-node: failed (HTTP 503)',
      '- provider-a: skipped (down)',
      '- provider-b: failed (timed out after 2000 ms)',
    ]);
    expect(error.message).toBe(
      [
        'Every endpoint failed or is unavailable.',
        '- own-node: failed (HTTP 503)',
        '- provider-a: skipped (down)',
        '- provider-b: failed (timed out after 2000 ms)',
        'Details: after 3 attempts',
      ].join('\n'),
    );
    expect(error.name).toBe('AllEndpointsFailedError');
  });

  it('TimeoutError gives the deadline and the attempts so far', () => {
    const error = new TimeoutError(2500, attempts.slice(0, 1));
    expect(error.code).toBe('TIMEOUT');
    expect(error.timeoutMs).toBe(2500);
    expect(error.shortMessage).toBe('The call did not finish within 2500 ms.');
    expect(error.metaMessages).toEqual(['- own-node: failed (HTTP 503)']);
    expect(new TimeoutError(10).attempts).toEqual([]);
  });

  it('ClosedError says what was closed', () => {
    expect(new ClosedError().shortMessage).toBe('This failover instance is closed.');
    const store = new ClosedError('state store');
    expect(store.code).toBe('CLOSED');
    expect(store.message).toBe('This state store instance is closed.');
  });

  it('EndpointError carries the endpoint label and HTTP status', () => {
    const error = new EndpointError('provider-a', 'HTTP 429', 429);
    expect(error).toMatchObject({ code: 'ENDPOINT_FAILED', endpoint: 'provider-a', status: 429 });
    expect(error.message).toBe('provider-a: HTTP 429');
    expect(new EndpointError('x', 'ECONNRESET').status).toBeUndefined();
  });
});
