import { container } from 'tsyringe';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { createInstanceContainer, TOKENS } from './container.js';
import type { Logger } from './interfaces.js';
import { consoleLogger, silentLogger } from './logger.js';
import { ScoreRouter } from './routing/ScoreRouter.js';
import { MemoryStateStore } from './state/MemoryStateStore.js';

const otherLogger: Logger = { ...silentLogger };

afterEach(() => container.reset());

describe('createInstanceContainer', () => {
  it('falls back to the defaults: real clock, console logger, ScoreRouter, no store or stream', () => {
    const child = createInstanceContainer({});
    expect(child.resolve(TOKENS.Clock)).toBe(systemClock);
    expect(child.resolve(TOKENS.Logger)).toBe(consoleLogger);
    expect(child.resolve(TOKENS.Router)).toBeInstanceOf(ScoreRouter);
    expect(child.isRegistered(TOKENS.StateStore, true)).toBe(false);
    expect(child.isRegistered(TOKENS.HeadStream, true)).toBe(false);
  });

  it('prefers a part given for the instance over the parent, and the parent over the defaults', () => {
    const parent = container.createChildContainer();
    parent.register(TOKENS.Logger, { useValue: otherLogger });
    expect(createInstanceContainer({}, parent).resolve(TOKENS.Logger)).toBe(otherLogger);
    expect(createInstanceContainer({ logger: silentLogger }, parent).resolve(TOKENS.Logger)).toBe(
      silentLogger,
    );
  });

  it("never consults tsyringe's global container unless it is given as the parent", () => {
    container.register(TOKENS.Logger, { useValue: otherLogger });
    container.register(TOKENS.StateStore, { useValue: new MemoryStateStore() });
    const own = createInstanceContainer({});
    expect(own.resolve(TOKENS.Logger)).toBe(consoleLogger);
    expect(own.isRegistered(TOKENS.StateStore, true)).toBe(false);

    const shared = createInstanceContainer({}, container);
    expect(shared.resolve(TOKENS.Logger)).toBe(otherLogger);
    expect(shared.isRegistered(TOKENS.StateStore, true)).toBe(true);
  });

  it('gives every instance its own container: a registration in one is not seen by another', () => {
    const a = createInstanceContainer({ logger: silentLogger });
    const b = createInstanceContainer({});
    expect(b.resolve(TOKENS.Logger)).toBe(consoleLogger);
    expect(a.resolve(TOKENS.Router)).not.toBe(b.resolve(TOKENS.Router));
  });
});
