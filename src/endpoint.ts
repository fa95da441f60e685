import { createHash } from 'node:crypto';
import { ConfigError } from './errors.js';
import { requireArray, requireString, requireStringRecord } from './validate.js';

/** An endpoint as a user writes it: a URL, or a URL with options. */
export type EndpointInput = string | EndpointConfig;

export interface EndpointConfig {
  /** The endpoint's URL. May hold credentials; they are never logged. */
  url: string;
  /** Name shown in status, events, logs and errors. @default the redacted URL */
  label?: string;
  /** Extra HTTP headers for this endpoint (e.g. an API key). Never logged. */
  headers?: Record<string, string>;
  /** Tier: lower is preferred. A higher tier only gets traffic when no lower tier is healthy. @default 0 */
  priority?: number;
  /** Share of traffic among equally good endpoints of the same tier. @default 1 */
  weight?: number;
}

/** A validated endpoint. `url` and `headers` are secret; show `label` instead. */
export interface Endpoint {
  /** Stable id derived from the URL (a hash: safe to persist and share, reveals no credentials). */
  readonly id: string;
  readonly url: string;
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly weight: number;
}

/** The public face of an endpoint: what events and status carry. */
export interface EndpointRef {
  readonly id: string;
  readonly label: string;
}

/**
 * Longest path segment or query key still shown as a word. Network and route names in provider
 * URLs stay well under it (`soroban-testnet` is 15 characters, `polygon-zkevm-cardona` 21), while
 * generated keys are longer (Alchemy and Infura 32, UUIDs 36, QuickNode 40, Ankr 64): a longer run
 * of lowercase letters is more likely a letters-only token than a word.
 */
const MAX_WORD_LENGTH = 24;
/**
 * Lowercase words joined by `-` or `_` (`rpc`, `soroban-testnet`, Ankr's `eth_sepolia`, `api_key`), or
 * an API version (`v1`, `v2`). No digits, no capitals: nearly every generated key has one of them.
 */
const ORDINARY_WORD = /^(?:[a-z]+(?:[-_][a-z]+)*|v\d{1,3})$/;

function isOrdinaryWord(text: string): boolean {
  return text.length <= MAX_WORD_LENGTH && ORDINARY_WORD.test(text);
}

/**
 * A URL as it may be shown: default-deny. Scheme, host and port are shown; a path segment or a
 * query key is shown only when it is an ordinary word — lowercase letters in words joined by `-`
 * or `_`, at most 24 characters (`rpc`, `eth`, `mainnet`, `soroban-testnet`, `apikey`) — or a
 * version such as `v1`, `v2`, `v3`. Every other segment and key, every query value and any user
 * info become `***`; the fragment is dropped. A key made only of lowercase letters cannot be told
 * from a word: send such a key in a header.
 *
 * @example
 * redactUrl('https://user:pw@rpc.example/rpc/S3cretPathKey?apikey=s3cret&X9k=1')
 * // 'https://***@rpc.example/rpc/***?apikey=***&***=***'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid url>';
  }
  // Without a host the rest is opaque: 'user:secret@host' parses with the scheme 'user:'.
  if (!parsed.host) return '<invalid url>';
  const userInfo = parsed.username || parsed.password ? '***@' : '';
  const path = parsed.pathname
    .split('/')
    .map((segment) => (segment === '' || isOrdinaryWord(segment) ? segment : '***'))
    .join('/');
  const query = [...parsed.searchParams.keys()]
    .map((key) => `${isOrdinaryWord(key) ? key : '***'}=***`)
    .join('&');
  return `${parsed.protocol}//${userInfo}${parsed.host}${path === '/' ? '' : path}${query ? `?${query}` : ''}`;
}

function endpointId(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 12);
}

function parseOne(
  input: EndpointInput,
  field: string,
  protocols: readonly string[],
): Endpoint & { labelGiven: boolean } {
  const config: EndpointConfig = typeof input === 'string' ? { url: input } : input;
  if (typeof config !== 'object' || config === null || typeof config.url !== 'string') {
    throw new ConfigError(field, 'must be a URL string or { url, label?, headers?, priority?, weight? }');
  }
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    throw new ConfigError(`${field}.url`, `is not a valid URL (${redactUrl(config.url)})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(
      `${field}.url`,
      `protocol ${parsed.protocol} is not supported (expected ${protocols.join(' or ')})`,
    );
  }
  const priority = config.priority ?? 0;
  if (!Number.isFinite(priority)) throw new ConfigError(`${field}.priority`, 'must be a finite number');
  const weight = config.weight ?? 1;
  if (!Number.isFinite(weight) || weight <= 0)
    throw new ConfigError(`${field}.weight`, 'must be a positive number');
  if (config.label !== undefined) requireString(`${field}.label`, config.label);
  if (config.headers !== undefined) requireStringRecord(`${field}.headers`, config.headers);
  const url = parsed.toString();
  const redacted = redactUrl(url);
  return {
    id: endpointId(url),
    url,
    label: config.label ?? redacted,
    // An adapter that names a URL by its redacted form (the viem transport does) gave no name of its own.
    labelGiven: config.label !== undefined && config.label !== redacted,
    headers: { ...config.headers },
    priority,
    weight,
  };
}

export interface ParseEndpointsOptions {
  /** Option name used in error messages. @default 'endpoints' */
  field?: string;
  /** Accepted URL protocols. @default ['http:', 'https:'] */
  protocols?: readonly string[];
  /** Accept an empty list (e.g. a monitor whose candidates come later). @default false */
  allowEmpty?: boolean;
}

/**
 * Validates a list of endpoints: non-empty (unless `allowEmpty`), valid URLs, no duplicates (by URL or label).
 *
 * @throws {ConfigError} naming the offending entry, e.g. `endpoints[1].url: is not a valid URL`.
 */
export function parseEndpoints(
  inputs: readonly EndpointInput[],
  options: ParseEndpointsOptions = {},
): Endpoint[] {
  const field = options.field ?? 'endpoints';
  const protocols = options.protocols ?? ['http:', 'https:'];
  requireArray('protocols', protocols);
  requireArray(field, inputs);
  if (inputs.length === 0 && !options.allowEmpty)
    throw new ConfigError(field, 'must list at least one endpoint');
  const parsed = inputs.map((input, i) => parseOne(input, `${field}[${i}]`, protocols));
  const seenIds = new Map<string, number>();
  const seenLabels = new Map<string, number>();
  const endpoints = parsed.map(({ labelGiven, ...endpoint }, i): Endpoint => {
    // Two keys on one provider redact to the same URL: tell them apart by a short id prefix.
    const collides = !labelGiven && parsed.some((other, j) => j !== i && other.label === endpoint.label);
    return collides ? { ...endpoint, label: `${endpoint.label}#${endpoint.id.slice(0, 6)}` } : endpoint;
  });
  endpoints.forEach((endpoint, i) => {
    const firstById = seenIds.get(endpoint.id);
    if (firstById !== undefined) {
      throw new ConfigError(`${field}[${i}]`, `duplicates ${field}[${firstById}] (${endpoint.label})`);
    }
    const firstByLabel = seenLabels.get(endpoint.label);
    if (firstByLabel !== undefined) {
      throw new ConfigError(
        `${field}[${i}].label`,
        `"${endpoint.label}" is already used by ${field}[${firstByLabel}]`,
      );
    }
    seenIds.set(endpoint.id, i);
    seenLabels.set(endpoint.label, i);
  });
  return endpoints;
}

/** The public face of an endpoint. */
export function refOf(endpoint: Endpoint): EndpointRef {
  return { id: endpoint.id, label: endpoint.label };
}

/**
 * Below this length a secret part that is an ordinary word or a number (`mainnet`, `json`, `user`,
 * `8453`) is left in text: replacing it would garble messages, and no provider issues keys this short.
 */
const MIN_SCRUBBED_PLAIN_LENGTH = 8;
/** Below this length no secret part is scrubbed (`?v=1`, `?id=42`): it would garble every number. */
const MIN_SCRUBBED_LENGTH = 4;

function worthScrubbing(part: string): boolean {
  if (part.length >= MIN_SCRUBBED_PLAIN_LENGTH) return true;
  return part.length >= MIN_SCRUBBED_LENGTH && !isOrdinaryWord(part) && !/^\d+$/.test(part);
}

/** `text` as written in a URL and decoded (`%3D` and `=`, `+` and a space in a query). */
function writtenForms(text: string, decode: (text: string) => string = decodeURIComponent): string[] {
  try {
    return [text, decode(text)];
  } catch {
    return [text];
  }
}

/** Everything of an endpoint that `redactUrl` hides, and its header values, in every written form. */
function secretParts(endpoint: Endpoint): string[] {
  const parsed = new URL(endpoint.url);
  const parts: string[] = [];
  for (const value of Object.values(endpoint.headers)) {
    // `Bearer <token>`: the token alone may be quoted too.
    parts.push(value, value.replace(/^[A-Za-z-]+ +/, ''));
  }
  if (parsed.username || parsed.password) {
    const [user, password] = [writtenForms(parsed.username), writtenForms(parsed.password)];
    // And the Basic credentials that credentialsAsHeader sends instead.
    parts.push(...user, ...password, Buffer.from(`${user.at(-1)}:${password.at(-1)}`).toString('base64'));
  }
  for (const segment of parsed.pathname.split('/'))
    if (!isOrdinaryWord(segment)) parts.push(...writtenForms(segment));
  const decodeQuery = (text: string) => new URLSearchParams(`=${text}`).get('')!;
  for (const pair of parsed.search.slice(1).split('&')) {
    const [key = '', value = ''] = pair.split(/=(.*)/s);
    if (!isOrdinaryWord(key)) parts.push(...writtenForms(key, decodeQuery));
    parts.push(...writtenForms(value, decodeQuery));
  }
  return parts;
}

/**
 * Removes every secret of the given endpoints from free text such as a client library's error
 * message. The URL itself becomes the endpoint's label; then every part that `redactUrl` hides (user
 * name, password, path segments and query keys that are not ordinary words, every query value) and
 * every header value becomes `***`, as written in the URL and decoded, longest first. A part
 * shorter than 4 characters, or an ordinary word or number shorter than 8 (`?network=mainnet`,
 * `?chainId=8453`, the user name `user`), stays: it would garble the message and is no key.
 *
 * @example
 * scrubSecrets('401 from https://rpc.example/rpc/S3cretKey: unknown key S3cretKey', [endpoint])
 * // '401 from https://rpc.example/rpc/***: unknown key ***' (the label, for the URL itself)
 */
export function scrubSecrets(message: string, endpoints: readonly Endpoint[]): string {
  let out = message;
  for (const endpoint of endpoints) {
    for (const form of [endpoint.url, endpoint.url.replace(/\/$/, '')])
      out = out.split(form).join(endpoint.label);
    const secrets = [...new Set(secretParts(endpoint).filter(worthScrubbing))];
    // Longest first: a secret that contains a shorter one is replaced whole.
    for (const secret of secrets.sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  }
  return out;
}

/**
 * Moves `user:password@` out of a URL into a Basic `Authorization` header. fetch (and every client built
 * on it) refuses URLs that carry credentials; axios sent them as this header by itself.
 *
 * @example
 * credentialsAsHeader('https://u:p@rpc.example/')
 * // { url: 'https://rpc.example/', headers: { Authorization: 'Basic dTpw' } }
 */
export function credentialsAsHeader(url: string): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, headers: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.toString(),
    headers: { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
  };
}
