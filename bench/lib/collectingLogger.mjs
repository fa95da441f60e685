/**
 * A pino-shaped logger that keeps warnings and errors in `sink` (as one line each) instead of
 * printing them over a bench's tables. For no output at all, use `silentLogger` from switchyard-rpc.
 */
export function collectingLogger(sink) {
  const text = (arg) => {
    if (typeof arg === 'string') return arg;
    try {
      return JSON.stringify(arg);
    } catch {
      return String(arg);
    }
  };
  const keep =
    (level) =>
    (...args) =>
      sink.push(`${level}: ${args.map(text).join(' ')}`);
  return { debug() {}, info() {}, warn: keep('warn'), error: keep('error') };
}
