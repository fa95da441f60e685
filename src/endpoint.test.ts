import { describe, expect, it } from 'vitest';
import { API_KEYS, KEYED_URLS } from '../test/apiKeys.js';
import { configErrorOf } from '../test/helpers.js';
import { type Endpoint, parseEndpoints, redactUrl, refOf, scrubSecrets } from './endpoint.js';

const KEY = '0123456789abcdef0123456789abcdef';

describe('parseEndpoints', () => {
  it('accepts strings and objects and applies the defaults', () => {
    const [a, b] = parseEndpoints([
      'https://a.example/rpc',
      {
        url: 'https://b.example/rpc',
        label: 'b',
        headers: { 'x-api-key': 'secret-value' },
        priority: 1,
        weight: 3,
      },
    ]);
    expect(a).toMatchObject({
      url: 'https://a.example/rpc',
      label: 'https://a.example/rpc',
      priority: 0,
      weight: 1,
    });
    expect(a!.headers).toEqual({});
    expect(b).toMatchObject({ label: 'b', priority: 1, weight: 3, headers: { 'x-api-key': 'secret-value' } });
  });

  it('copies the headers so later changes to the input do not leak in', () => {
    const headers: Record<string, string> = { 'x-api-key': 'first-value' };
    const [endpoint] = parseEndpoints([{ url: 'https://a.example/', headers }]);
    headers['x-api-key'] = 'changed-value';
    expect(endpoint!.headers).toEqual({ 'x-api-key': 'first-value' });
  });

  it('rejects an empty list naming the option', () => {
    const error = configErrorOf(() => parseEndpoints([]));
    expect(error.field).toBe('endpoints');
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('uses the given field name in errors', () => {
    expect(configErrorOf(() => parseEndpoints([], { field: 'beaconNodes' })).field).toBe('beaconNodes');
    expect(
      configErrorOf(() => parseEndpoints(['https://a.example', 'nope'], { field: 'beaconNodes' })).field,
    ).toBe('beaconNodes[1].url');
  });

  it('rejects an entry that is neither a string nor a config object', () => {
    const inputs = ['https://a.example', 42] as unknown as string[];
    expect(configErrorOf(() => parseEndpoints(inputs)).field).toBe('endpoints[1]');
    const nullInputs = [null] as unknown as string[];
    expect(configErrorOf(() => parseEndpoints(nullInputs)).field).toBe('endpoints[0]');
  });

  it('rejects a malformed URL naming the entry, without echoing the URL', () => {
    const error = configErrorOf(() => parseEndpoints(['https://a.example', `not a url ${KEY}`]));
    expect(error.field).toBe('endpoints[1].url');
    expect(error.message).toContain('not a valid URL');
    expect(error.message).not.toContain(KEY);
  });

  it('rejects a protocol outside the accepted list', () => {
    const error = configErrorOf(() => parseEndpoints(['https://a.example', 'ftp://b.example']));
    expect(error.field).toBe('endpoints[1].url');
    expect(error.message).toContain('ftp:');
    expect(configErrorOf(() => parseEndpoints(['ws://a.example'])).field).toBe('endpoints[0].url');
  });

  it('accepts the protocols given in the options', () => {
    const [endpoint] = parseEndpoints(['wss://a.example/stream'], { protocols: ['ws:', 'wss:'] });
    expect(endpoint!.url).toBe('wss://a.example/stream');
    expect(configErrorOf(() => parseEndpoints(['https://a.example'], { protocols: ['wss:'] })).field).toBe(
      'endpoints[0].url',
    );
  });

  it('rejects a duplicate URL, also when written differently, naming the second entry', () => {
    const error = configErrorOf(() =>
      parseEndpoints(['https://a.example/', 'https://b.example/', 'HTTPS://A.EXAMPLE']),
    );
    expect(error.field).toBe('endpoints[2]');
    expect(error.message).toContain('endpoints[0]');
  });

  it('does not reveal credentials when reporting a duplicate URL', () => {
    const url = `https://rpc.example/v2/${KEY}`;
    const error = configErrorOf(() => parseEndpoints([url, url]));
    expect(error.field).toBe('endpoints[1]');
    expect(error.message).not.toContain(KEY);
  });

  it('rejects a duplicate label naming the label of the second entry', () => {
    const error = configErrorOf(() =>
      parseEndpoints([
        { url: 'https://a.example', label: 'main' },
        { url: 'https://b.example', label: 'main' },
      ]),
    );
    expect(error.field).toBe('endpoints[1].label');
    expect(error.message).toContain('"main"');
  });

  it.each([
    ['a NaN priority', { priority: Number.NaN }, 'endpoints[1].priority'],
    ['an infinite priority', { priority: Number.POSITIVE_INFINITY }, 'endpoints[1].priority'],
    ['a zero weight', { weight: 0 }, 'endpoints[1].weight'],
    ['a negative weight', { weight: -1 }, 'endpoints[1].weight'],
    ['a NaN weight', { weight: Number.NaN }, 'endpoints[1].weight'],
    ['an infinite weight', { weight: Number.POSITIVE_INFINITY }, 'endpoints[1].weight'],
  ])('rejects %s naming the field', (_name, extra, field) => {
    const error = configErrorOf(() =>
      parseEndpoints(['https://a.example', { url: 'https://b.example', ...extra }]),
    );
    expect(error.field).toBe(field);
  });

  it('accepts a negative or fractional priority and a fractional weight', () => {
    const [endpoint] = parseEndpoints([{ url: 'https://a.example', priority: -1.5, weight: 0.5 }]);
    expect(endpoint).toMatchObject({ priority: -1.5, weight: 0.5 });
  });
});

describe('endpoint ids and labels', () => {
  it('gives the same URL the same id every time', () => {
    const [first] = parseEndpoints([`https://rpc.example/v2/${KEY}`]);
    const [second] = parseEndpoints([{ url: `https://rpc.example/v2/${KEY}`, label: 'other', weight: 2 }]);
    expect(first!.id).toBe(second!.id);
    expect(first!.id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('gives different URLs different ids', () => {
    // Same provider, two keys: the redacted default labels would collide, so they are labelled.
    const [a, b] = parseEndpoints([
      { url: `https://rpc.example/v2/${KEY}`, label: 'key-1' },
      { url: `https://rpc.example/v2/${KEY.replace('0', 'f')}`, label: 'key-2' },
    ]);
    expect(a!.id).not.toBe(b!.id);
  });

  it('puts no credentials in the id or the default label', () => {
    const [endpoint] = parseEndpoints([`https://user:hunter2pw@rpc.example/v2/${KEY}?apikey=qwerty123`]);
    for (const shown of [endpoint!.id, endpoint!.label, JSON.stringify(refOf(endpoint!))]) {
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain('hunter2pw');
      expect(shown).not.toContain('qwerty123');
      expect(shown).not.toContain('user');
    }
    expect(endpoint!.label).toBe('https://***@rpc.example/v2/***?apikey=***');
  });

  it('tells two keys on one provider apart by a suffix from their id, hiding both keys', () => {
    const urls = [`http://rpc.example/rpc/${API_KEYS.short13}`, `http://rpc.example/rpc/${API_KEYS.short8}`];
    const [a, b] = parseEndpoints(urls);
    expect(a!.label).toBe(`http://rpc.example/rpc/***#${a!.id.slice(0, 6)}`);
    expect(b!.label).toBe(`http://rpc.example/rpc/***#${b!.id.slice(0, 6)}`);
    expect(a!.label).not.toBe(b!.label);
  });

  it('suffixes a label that an adapter set to the redacted URL, as the viem transport does', () => {
    const urls = [`https://rpc.example/v2/${API_KEYS.alchemy}`, `https://rpc.example/v2/${API_KEYS.short8}`];
    const [a, b] = parseEndpoints(urls.map((url) => ({ url, label: redactUrl(url) })));
    expect([a!.label, b!.label]).toEqual([
      `https://rpc.example/v2/***#${a!.id.slice(0, 6)}`,
      `https://rpc.example/v2/***#${b!.id.slice(0, 6)}`,
    ]);
  });

  it('refOf exposes only id and label', () => {
    const [endpoint] = parseEndpoints([{ url: `https://rpc.example/v2/${KEY}`, label: 'alchemy' }]);
    expect(refOf(endpoint!)).toEqual({ id: endpoint!.id, label: 'alchemy' });
  });
});

describe('redactUrl', () => {
  it('matches its documented example', () => {
    expect(redactUrl('https://user:pw@rpc.example/v2/abcdef0123456789abcdef?apikey=s3cret')).toBe(
      'https://***@rpc.example/v2/***?apikey=***',
    );
  });

  it('hides user info, also a user name alone', () => {
    expect(redactUrl('https://alice:secret@rpc.example/')).toBe('https://***@rpc.example');
    expect(redactUrl('https://onlyuser@rpc.example/')).toBe('https://***@rpc.example');
  });

  it('shows nothing of text without a scheme: user:secret@host would parse as the scheme "user:"', () => {
    expect(redactUrl('alice:hunter2@rpc.example/x')).toBe('<invalid url>');
    expect(redactUrl('not a url')).toBe('<invalid url>');
  });

  it('hides every query value and keeps the keys', () => {
    expect(redactUrl('https://rpc.example/rpc?apikey=abc&network=mainnet&v=1')).toBe(
      'https://rpc.example/rpc?apikey=***&network=***&v=***',
    );
  });

  it.each(KEYED_URLS)('hides %s', (_format, url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('hides the 13-character path key of the measured endpoint, which the old 16-character rule showed', () => {
    expect(redactUrl('http://127.0.0.1:8000/rpc/S3cretPathKey?apikey=abc')).toBe(
      'http://127.0.0.1:8000/rpc/***?apikey=***',
    );
  });

  it.each([
    ['network and route names', 'https://rpc.example/soroban-testnet/rpc/mainnet/eth'],
    ['versions', 'https://rpc.example/api/v1/v2/v3'],
    ['words joined by _ (Ankr networks)', 'https://rpc.ankr.com/eth_sepolia'],
    ['a word of 24 letters', `https://rpc.example/${'a'.repeat(24)}`],
  ])('keeps ordinary words: %s', (_what, url) => {
    expect(redactUrl(url)).toBe(url);
  });

  it.each([
    ['a run of letters longer than 24, as a letters-only token would be', `${'q'.repeat(25)}`],
    ['a capital', 'C'],
    ['a digit', 'eth2'],
    ['a version with a long number', 'v2024'],
    ['a leading dash', '-rpc'],
    ['an encoded character', 'r%20pc'],
  ])('hides a segment with %s', (_what, segment) => {
    expect(redactUrl(`https://rpc.example/${segment}/rpc`)).toBe('https://rpc.example/***/rpc');
  });

  it('keeps query keys that are ordinary words and hides the others', () => {
    expect(redactUrl('https://rpc.example/rpc?api_key=1&X-Token=2&tok3n=3&network=4')).toBe(
      'https://rpc.example/rpc?api_key=***&***=***&***=***&network=***',
    );
  });

  it('drops the fragment', () => {
    expect(redactUrl(`https://rpc.example/rpc#${API_KEYS.short8}`)).toBe('https://rpc.example/rpc');
  });

  it('hides a key-like path segment such as /v2/<32 hex>', () => {
    expect(redactUrl(`https://eth-mainnet.example/v2/${KEY}`)).toBe('https://eth-mainnet.example/v2/***');
  });

  it('hides a token segment in the middle of the path', () => {
    expect(redactUrl('https://node.quiknode.example/a1B2c3D4e5F6g7H8i9J0_-xy/rpc')).toBe(
      'https://node.quiknode.example/***/rpc',
    );
  });

  it('keeps short, ordinary path segments, the port and the host', () => {
    expect(redactUrl('http://127.0.0.1:8000/soroban/rpc/v1')).toBe('http://127.0.0.1:8000/soroban/rpc/v1');
    expect(redactUrl('https://rpc.example/')).toBe('https://rpc.example');
  });

  it('returns a placeholder for an invalid URL instead of echoing it', () => {
    expect(redactUrl(`garbage ${KEY}`)).toBe('<invalid url>');
  });
});

describe('scrubSecrets', () => {
  const [endpoint] = parseEndpoints([
    {
      url: `https://user:hunter2pw@rpc.example/v2/${KEY}?apikey=qwerty123&v=1`,
      label: 'provider-a',
      headers: { authorization: 'Bearer tok-abcdef' },
    },
  ]);
  const endpoints: Endpoint[] = [endpoint!];

  it('replaces the whole URL by the label', () => {
    expect(scrubSecrets(`request to ${endpoint!.url} failed`, endpoints)).toBe(
      'request to provider-a failed',
    );
  });

  it('replaces the URL without its trailing slash by the label', () => {
    const [root] = parseEndpoints([{ url: 'https://user:hunter2pw@root.example', label: 'root' }]);
    expect(root!.url).toBe('https://user:hunter2pw@root.example/');
    expect(scrubSecrets('GET https://user:hunter2pw@root.example failed', [root!])).toBe('GET root failed');
  });

  it('cleans an error message that embeds a longer URL built from the endpoint', () => {
    const message = `FetchError: request to https://rpc.example/v2/${KEY}/getHealth?apikey=qwerty123 failed, reason: ECONNRESET`;
    const scrubbed = scrubSecrets(message, endpoints);
    expect(scrubbed).not.toContain(KEY);
    expect(scrubbed).not.toContain('qwerty123');
    expect(scrubbed).toContain('ECONNRESET');
    expect(scrubbed).toContain('/v2/***/getHealth');
  });

  it('replaces header values by ***', () => {
    expect(scrubSecrets('sent header Bearer tok-abcdef', endpoints)).toBe('sent header ***');
  });

  it('replaces query values by ***', () => {
    expect(scrubSecrets('invalid key qwerty123', endpoints)).toBe('invalid key ***');
  });

  it('replaces key-like path segments by ***', () => {
    expect(scrubSecrets(`project ${KEY} is over quota`, endpoints)).toBe('project *** is over quota');
  });

  it('replaces the password by ***', () => {
    expect(scrubSecrets('bad password hunter2pw', endpoints)).toBe('bad password ***');
  });

  it('leaves very short values alone so the message stays readable', () => {
    expect(scrubSecrets('protocol v=1 failed with code 1', endpoints)).toBe(
      'protocol v=1 failed with code 1',
    );
  });

  it('removes a user name that is the credential (redactUrl hides it too)', () => {
    const userKey = 'a1b2c3d4e5f6a7b8c9d0';
    const [basic] = parseEndpoints([{ url: `https://${userKey}@rpc.example/`, label: 'basic' }]);
    expect(basic!.label).toBe('basic');
    const scrubbed = scrubSecrets(`401 Unauthorized: unknown project ${userKey}`, [basic!]);
    expect(scrubbed).not.toContain(userKey);
  });

  it('scrubs the secrets of every endpoint given', () => {
    const [a, b] = parseEndpoints([
      { url: 'https://a.example/?token=alpha-secret', label: 'a' },
      { url: 'https://b.example/?token=beta-secret', label: 'b' },
    ]);
    expect(scrubSecrets('alpha-secret and beta-secret', [a!, b!])).toBe('*** and ***');
  });

  it.each(KEYED_URLS)('removes every key of %s from text, also in a longer URL', (_format, url) => {
    const [keyed] = parseEndpoints([url]);
    const keys = Object.values(API_KEYS).filter((key) => url.includes(key));
    const requested = `${url.replace(/\/?(\?.*)?$/, '/getHealth$1')}`;
    const message = `401 from ${requested}: unknown key ${keys.join(', ')}`;
    const scrubbed = scrubSecrets(message, [keyed!]);
    for (const key of keys) expect(scrubbed).not.toContain(key);
    expect(scrubbed).toContain('401 from ');
  });

  it('removes a short key, and keys with . ~ and =, from the path and from the query', () => {
    const { short13, short8, dotted, tilde, padded } = API_KEYS;
    const [keyed] = parseEndpoints([
      `https://rpc.example/rpc/${short13}/${dotted}?apikey=${padded}&token=${tilde}&${short8}`,
    ]);
    const message = `keys ${short13} ${dotted} ${padded} ${tilde} ${short8} rejected`;
    expect(scrubSecrets(message, [keyed!])).toBe('keys *** *** *** *** *** rejected');
  });

  it('removes a query value and user info both as written in the URL and decoded', () => {
    const [keyed] = parseEndpoints([`https://ab%3Dcd:p%40ss%3Dword1@rpc.example/rpc?key=se+cr%3Det`]);
    const scrubbed = scrubSecrets('ab%3Dcd ab=cd p%40ss%3Dword1 p@ss=word1 se+cr%3Det se cr=et', [keyed!]);
    expect(scrubbed).toBe('*** *** *** *** *** ***');
  });

  it('removes the Basic credentials built from user info, and a bearer token alone', () => {
    const [keyed] = parseEndpoints([
      {
        url: `https://${API_KEYS.infura}:${API_KEYS.short8}@rpc.example/`,
        headers: { authorization: 'Bearer tOk3n-value' },
      },
    ]);
    const basic = Buffer.from(`${API_KEYS.infura}:${API_KEYS.short8}`).toString('base64');
    expect(scrubSecrets(`sent Basic ${basic}, then token tOk3n-value`, [keyed!])).toBe(
      'sent Basic ***, then token ***',
    );
  });

  it('never throws on a malformed percent-encoding, and still removes the part as written', () => {
    const [keyed] = parseEndpoints([`https://us%ZZer:pw%ZZ12@rpc.example/${API_KEYS.short8}%ZZ?k=v%ZZ12`]);
    expect(scrubSecrets(`us%ZZer pw%ZZ12 ${API_KEYS.short8}%ZZ v%ZZ12`, [keyed!])).toBe('*** *** *** ***');
  });

  it('leaves ordinary words and numbers shorter than 8 characters alone: they are no keys', () => {
    const [keyed] = parseEndpoints([
      `https://user:${API_KEYS.short8}@rpc.example/rpc?network=mainnet&chain=8453`,
    ]);
    const message = 'user error on mainnet (chain 8453) at /rpc';
    expect(scrubSecrets(message, [keyed!])).toBe(message);
  });

  it('removes a longer query value even when it is made of letters only', () => {
    const [keyed] = parseEndpoints(['https://rpc.example/?apikey=correcthorsebattery']);
    expect(scrubSecrets('unknown key correcthorsebattery', [keyed!])).toBe('unknown key ***');
  });

  it('returns a message without secrets unchanged', () => {
    expect(scrubSecrets('socket hang up', endpoints)).toBe('socket hang up');
  });
});
