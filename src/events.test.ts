import { describe, expect, it } from 'vitest';
import { Emitter } from './events.js';
import type { Logger } from './interfaces.js';

interface TestEvents {
  ping: { n: number };
  pong: string;
}

function fakeLogger() {
  const calls: { level: keyof Logger; obj: object | string; msg: string | undefined }[] = [];
  const record =
    (level: keyof Logger) =>
    (obj: object | string, msg?: string): void => {
      calls.push({ level, obj, msg });
    };
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  return { logger, calls };
}

describe('Emitter', () => {
  it('delivers an event to every listener, in subscription order', () => {
    const emitter = new Emitter<TestEvents>(fakeLogger().logger);
    const seen: string[] = [];
    emitter.on('ping', (e) => seen.push(`first ${e.n}`));
    emitter.on('ping', (e) => seen.push(`second ${e.n}`));
    emitter.on('ping', (e) => seen.push(`third ${e.n}`));
    emitter.emit('ping', { n: 1 });
    expect(seen).toEqual(['first 1', 'second 1', 'third 1']);
  });

  it('delivers only to listeners of that event name', () => {
    const emitter = new Emitter<TestEvents>(fakeLogger().logger);
    const pings: number[] = [];
    const pongs: string[] = [];
    emitter.on('ping', (e) => pings.push(e.n));
    emitter.on('pong', (e) => pongs.push(e));
    emitter.emit('pong', 'hello');
    expect(pings).toEqual([]);
    expect(pongs).toEqual(['hello']);
  });

  it('does nothing when an event has no listener', () => {
    const { logger, calls } = fakeLogger();
    const emitter = new Emitter<TestEvents>(logger);
    expect(() => emitter.emit('ping', { n: 1 })).not.toThrow();
    expect(calls).toEqual([]);
  });

  it('stops delivering to a listener once unsubscribed, and keeps the others', () => {
    const emitter = new Emitter<TestEvents>(fakeLogger().logger);
    const seen: string[] = [];
    const offA = emitter.on('ping', () => seen.push('a'));
    emitter.on('ping', () => seen.push('b'));
    emitter.emit('ping', { n: 1 });
    offA();
    emitter.emit('ping', { n: 2 });
    expect(seen).toEqual(['a', 'b', 'b']);
  });

  it('tolerates unsubscribing twice', () => {
    const emitter = new Emitter<TestEvents>(fakeLogger().logger);
    const seen: number[] = [];
    const off = emitter.on('ping', (e) => seen.push(e.n));
    off();
    expect(() => off()).not.toThrow();
    emitter.emit('ping', { n: 1 });
    expect(seen).toEqual([]);
  });

  it('logs a listener that throws and still runs the others', () => {
    const { logger, calls } = fakeLogger();
    const emitter = new Emitter<TestEvents>(logger);
    const seen: string[] = [];
    const boom = new Error('listener bug');
    emitter.on('ping', () => seen.push('before'));
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', () => seen.push('after'));
    expect(() => emitter.emit('ping', { n: 1 })).not.toThrow();
    expect(seen).toEqual(['before', 'after']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.level).toBe('error');
    expect(calls[0]!.obj).toEqual({ err: boom, event: 'ping' });
    expect(calls[0]!.msg).toContain('listener threw');
  });

  it('logs each throwing listener separately', () => {
    const { logger, calls } = fakeLogger();
    const emitter = new Emitter<TestEvents>(logger);
    emitter.on('pong', () => {
      throw new Error('one');
    });
    emitter.on('pong', () => {
      throw new Error('two');
    });
    emitter.emit('pong', 'x');
    expect(calls.map((c) => ((c.obj as { err: Error }).err as Error).message)).toEqual(['one', 'two']);
  });

  it('lets a listener unsubscribe itself during an emit without skipping the next one', () => {
    const emitter = new Emitter<TestEvents>(fakeLogger().logger);
    const seen: string[] = [];
    const off = emitter.on('ping', () => {
      seen.push('once');
      off();
    });
    emitter.on('ping', () => seen.push('always'));
    emitter.emit('ping', { n: 1 });
    emitter.emit('ping', { n: 2 });
    expect(seen).toEqual(['once', 'always', 'always']);
  });

  it('clear removes every listener', () => {
    const emitter = new Emitter<TestEvents>(fakeLogger().logger);
    const seen: number[] = [];
    emitter.on('ping', (e) => seen.push(e.n));
    emitter.clear();
    emitter.emit('ping', { n: 1 });
    expect(seen).toEqual([]);
  });
});
