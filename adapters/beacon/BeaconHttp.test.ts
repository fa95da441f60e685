import { EndpointError } from 'switchyard-rpc';
import { describe, expect, test } from 'vitest';
import { beaconRequest, classifyBeaconError } from './BeaconHttp.js';

describe('beaconRequest', () => {
  test('appends the API path to the endpoint path and keeps its query', () => {
    expect(
      beaconRequest({ url: 'https://bn.example/key/abc?token=t', headers: {} }, 'eth/v1/events?topics=head'),
    ).toEqual({
      url: 'https://bn.example/key/abc/eth/v1/events?token=t&topics=head',
      headers: {},
    });
    expect(beaconRequest({ url: 'http://bn:5052/', headers: {} }, 'eth/v1/node/syncing').url).toBe(
      'http://bn:5052/eth/v1/node/syncing',
    );
  });

  test('moves URL credentials to a Basic Authorization header; explicit headers win', () => {
    const request = beaconRequest(
      { url: 'https://us%40er:p%3Ass@bn.example/', headers: { 'X-Api-Key': 'k' } },
      'eth/v1/beacon/genesis',
    );
    expect(request.url).toBe('https://bn.example/eth/v1/beacon/genesis');
    expect(request.headers).toEqual({
      Authorization: `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`,
      'X-Api-Key': 'k',
    });
    const own = beaconRequest(
      { url: 'https://u:p@bn.example/', headers: { Authorization: 'Bearer t' } },
      'x',
    );
    expect(own.headers).toEqual({ Authorization: 'Bearer t' });
  });
});

describe('classifyBeaconError', () => {
  test('a 429 rests the node, other statuses count against it, without naming the endpoint', () => {
    expect(classifyBeaconError(new EndpointError('bn-1', 'HTTP 429', 429))).toEqual({
      kind: 'rate-limited',
      reason: 'HTTP 429',
    });
    expect(classifyBeaconError(new EndpointError('bn-1', 'HTTP 503', 503))).toEqual({
      kind: 'node',
      reason: 'HTTP 503',
    });
  });

  test('network errors are named by their code, timeouts as timeouts', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyBeaconError(refused)).toEqual({ kind: 'transport', reason: 'ECONNREFUSED' });
    expect(classifyBeaconError(new DOMException('late', 'TimeoutError'))).toEqual({
      kind: 'transport',
      reason: 'timeout',
    });
  });
});
