import { createHash } from 'node:crypto';
import { ConfigError } from './errors.js';

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

// Path segments at least this long and made only of key-like characters are treated as
// API keys (Infura `/v3/<key>`, Alchemy `/v2/<key>`, QuickNode `/<token>/`).
const KEY_LIKE_SEGMENT = /^[A-Za-z0-9_-]{16,}$/;

/**
 * Strips credentials from a URL: user info, every query value, and path segments that look
 * like API keys.
 *
 * @example
 * redactUrl('https://user:pw@rpc.example/v2/abcdef0123456789abcdef?apikey=s3cret')
 * // 'https://***@rpc.example/v2/***?apikey=***'
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
    .map((segment) => (KEY_LIKE_SEGMENT.test(segment) ? '***' : segment))
    .join('/');
  const query = [...parsed.searchParams.keys()].map((key) => `${key}=***`).join('&');
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
  const url = parsed.toString();
  return {
    id: endpointId(url),
    url,
    label: config.label ?? redactUrl(url),
    labelGiven: config.label !== undefined,
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
  if (!Array.isArray(inputs) || (inputs.length === 0 && !options.allowEmpty)) {
    throw new ConfigError(field, 'must list at least one endpoint');
  }
  const parsed = inputs.map((input, i) => parseOne(input, `${field}[${i}]`, protocols));
  const seenIds = new Map<string, number>();
  const seenLabels = new Map<string, number>();
  const endpoints = parsed.map(({ labelGiven, ...endpoint }, i): Endpoint => {
    // Two keys on one provider redact to the same URL: tell them apart by id.
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
 * Removes every secret of the given endpoints (URLs, their redacted-away parts, header values)
 * from a message that came from a client library.
 */
export function scrubSecrets(message: string, endpoints: readonly Endpoint[]): string {
  let out = message;
  for (const endpoint of endpoints) {
    for (const form of [endpoint.url, endpoint.url.replace(/\/$/, '')])
      out = out.split(form).join(endpoint.label);
    const parsed = new URL(endpoint.url);
    const secrets = [...Object.values(endpoint.headers), ...parsed.searchParams.values()];
    if (parsed.username) secrets.push(decodeURIComponent(parsed.username));
    if (parsed.password) secrets.push(decodeURIComponent(parsed.password));
    secrets.push(...parsed.pathname.split('/').filter((segment) => KEY_LIKE_SEGMENT.test(segment)));
    // Very short values (e.g. `?v=1`) are not secrets and would mangle the message.
    for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('***');
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
