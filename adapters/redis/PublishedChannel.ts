import type { Logger, SharedEndpointRecord } from '../../src/index.js';
import { isSharedEndpointRecord } from '../../src/state/parseSharedState.js';
import {
  duplicateConnection,
  quit,
  type RedisClient,
  storeError,
  watchConnection,
} from './redisConnection.js';

/** Hears a probe result published by any instance: the endpoint's id, its record, and the publisher's owner id. */
export type PublishedListener = (id: string, record: SharedEndpointRecord, owner: string) => void;

/**
 * The message the publish script sends on the channel for one probe result.
 *
 * @example
 * publishedMessage('e1', record, 'host-a') // '{"id":"e1","owner":"host-a","record":{...}}'
 */
export function publishedMessage(id: string, record: SharedEndpointRecord, owner: string): string {
  return JSON.stringify({ id, owner, record });
}

/**
 * The push side of the Redis store: a subscriber connection to the results channel, opened for the
 * first listener, that hands every published result to every listener. A listener that throws is
 * logged and the others still hear the result.
 *
 * @example
 * const published = new PublishedChannel(commands, '{app}:published', logger);
 * const stop = published.listen((id, record) => console.log(id, record.ok));
 */
export class PublishedChannel {
  readonly #commands: RedisClient;
  readonly #channel: string;
  readonly #logger: Logger;
  readonly #listeners = new Set<PublishedListener>();
  #subscriber: RedisClient | undefined;

  /** `commands` is the connection the subscriber is duplicated from (a subscribed connection runs no other commands). */
  constructor(commands: RedisClient, channel: string, logger: Logger) {
    this.#commands = commands;
    this.#channel = channel;
    this.#logger = logger;
  }

  /** Adds a listener (subscribing at the first); returns its unsubscribe. */
  listen(listener: PublishedListener): () => void {
    this.#listeners.add(listener);
    this.#subscribe();
    return () => this.#listeners.delete(listener);
  }

  /** Forgets every listener: nothing is delivered from now on. */
  clear(): void {
    this.#listeners.clear();
  }

  /** Closes the subscriber connection, if one was opened. */
  async close(): Promise<void> {
    if (this.#subscriber) await quit(this.#subscriber);
  }

  #subscribe(): void {
    if (this.#subscriber) return;
    const subscriber = duplicateConnection(this.#commands, { enableOfflineQueue: true });
    this.#subscriber = subscriber;
    watchConnection(subscriber, 'subscriber', this.#logger);
    subscriber.on('message', (_channel: string, message: string) => this.#deliver(message));
    // ioredis subscribes again by itself after a reconnect.
    subscriber.subscribe(this.#channel).catch((error: unknown) => {
      this.#logger.debug({ err: storeError(error) }, 'switchyard: redis subscribe failed');
    });
  }

  #deliver(message: string): void {
    let parsed: { id?: unknown; owner?: unknown; record?: unknown };
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const { id, owner, record } = parsed;
    if (typeof id !== 'string' || typeof owner !== 'string' || !isSharedEndpointRecord(record)) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(id, record, owner);
      } catch (error) {
        this.#logger.error({ err: error }, 'switchyard: state store listener threw');
      }
    }
  }
}
