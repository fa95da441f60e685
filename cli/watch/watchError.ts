/**
 * Why `switchyard watch` could not start, in one line for people: a missing optional dependency,
 * a port in use, endpoints the library refuses. Carries the process's exit code.
 *
 * @example
 * throw new WatchError('--metrics-port needs prom-client: npm i prom-client', 1);
 */
export class WatchError extends Error {
  override name = 'WatchError';
  /** 1: it could not start; 2: the command line asked for something impossible. */
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Imports an optional peer dependency; when it is not installed, throws a {@link WatchError}
 * saying which option needs it and how to install it.
 *
 * @example
 * const { Registry } = await importOptional('prom-client', '--metrics-port', () => import('prom-client'));
 */
export async function importOptional<M>(name: string, neededBy: string, load: () => Promise<M>): Promise<M> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // Only the package itself missing: a broken install of it is reported as it is.
    if (code === 'ERR_MODULE_NOT_FOUND' && String(message).includes(`'${name}'`)) {
      throw new WatchError(`${neededBy} needs ${name}, which is not installed: npm i ${name}`, 1);
    }
    throw error;
  }
}
