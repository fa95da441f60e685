import type { Logger } from '../src/index.js';

export interface LogEntry {
  level: keyof Logger;
  obj: object | string;
  msg: string | undefined;
  /** The message, or the string logged alone. */
  text: string;
}

export type RecordingLogger = Logger & {
  entries: LogEntry[];
  /** Every entry as one line, objects serialised (to look for what must never be logged). */
  readonly lines: string[];
  at(level: keyof Logger): LogEntry[];
};

/** A logger that keeps every call, to check what reached the logs. */
export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const keep = (level: keyof Logger) => (obj: object | string, msg?: string) => {
    entries.push({ level, obj, msg, text: msg ?? (typeof obj === 'string' ? obj : '') });
  };
  return {
    entries,
    get lines() {
      return entries.map(({ obj, msg }) => {
        const serialised =
          typeof obj === 'string' ? obj : JSON.stringify(obj, Object.getOwnPropertyNames(obj));
        return `${serialised} ${msg ?? ''}`;
      });
    },
    at: (level) => entries.filter((e) => e.level === level),
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
  };
}
