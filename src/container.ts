import 'reflect-metadata';
import { type DependencyContainer, container as globalContainer, type InjectionToken } from 'tsyringe';
import { systemClock } from './clock.js';
import type { Clock, HeadStream, HealthProbe, Logger, Router, StateStore } from './interfaces.js';
import { consoleLogger } from './logger.js';
import type { CallClassifier } from './routing/classification.js';
import { ScoreRouter } from './routing/ScoreRouter.js';

/**
 * Injection tokens of the replaceable parts. Interfaces have no runtime identity, so every
 * part is injected by an explicit token (no reliance on emitted decorator metadata).
 *
 * @example
 * import { container } from 'tsyringe';
 * import { TOKENS } from 'switchyard-rpc';
 * // every instance given this container logs through pino; instances without `container` never see it
 * const parent = container.createChildContainer();
 * parent.register(TOKENS.Logger, { useValue: pino() });
 * createFailover({ endpoints, probe, container: parent });
 */
export const TOKENS = {
  Clock: Symbol.for('switchyard-rpc.Clock') as InjectionToken<Clock>,
  Logger: Symbol.for('switchyard-rpc.Logger') as InjectionToken<Logger>,
  StateStore: Symbol.for('switchyard-rpc.StateStore') as InjectionToken<StateStore>,
  HealthProbe: Symbol.for('switchyard-rpc.HealthProbe') as InjectionToken<HealthProbe>,
  HeadStream: Symbol.for('switchyard-rpc.HeadStream') as InjectionToken<HeadStream>,
  Router: Symbol.for('switchyard-rpc.Router') as InjectionToken<Router>,
  CallClassifier: Symbol.for('switchyard-rpc.CallClassifier') as InjectionToken<CallClassifier>,
} as const;

/** The parts of one instance; each one given here wins over the container's registrations. */
export interface InstanceParts {
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  stateStore?: StateStore | undefined;
  probe?: HealthProbe | undefined;
  headStream?: HeadStream | undefined;
  router?: Router | undefined;
  classifier?: CallClassifier | undefined;
}

const DEFAULTS: { [K in keyof typeof TOKENS]?: () => unknown } = {
  Clock: () => systemClock,
  Logger: () => consoleLogger,
  Router: () => new ScoreRouter(),
};

const PART_OF: Record<keyof typeof TOKENS, keyof InstanceParts> = {
  Clock: 'clock',
  Logger: 'logger',
  StateStore: 'stateStore',
  HealthProbe: 'probe',
  HeadStream: 'headStream',
  Router: 'router',
  CallClassifier: 'classifier',
};

// tsyringe exports only its global container; a container with no parent is made from the same class.
const RootContainer = globalContainer.constructor as new () => DependencyContainer;

/**
 * A container for one instance, so two instances never share state by accident. Without `parent` it
 * is a root of its own: what anything else in the process registers, in tsyringe's global container
 * too, never reaches it. With `parent` (tsyringe's global container is a valid one) it is a child of
 * it. Resolution order: the parts passed here, then what `parent` has registered, then switchyard's
 * defaults.
 *
 * @example
 * const own = createInstanceContainer({ logger: pino() });
 * const shared = createInstanceContainer({}, container); // sees the global registrations
 */
export function createInstanceContainer(
  parts: InstanceParts,
  parent?: DependencyContainer,
): DependencyContainer {
  const child = parent ? parent.createChildContainer() : new RootContainer();
  for (const name of Object.keys(TOKENS) as (keyof typeof TOKENS)[]) {
    const token = TOKENS[name] as InjectionToken<unknown>;
    const given = parts[PART_OF[name]];
    if (given !== undefined) child.register(token, { useValue: given });
    else if (!parent?.isRegistered(token, true) && DEFAULTS[name])
      child.register(token, { useValue: DEFAULTS[name]() });
  }
  return child;
}
