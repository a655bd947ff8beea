import type { LoggerService } from '@nestjs/common';
import { logContext } from './log-context';
import { redact, redactText } from './redact';

const LEVELS = { debug: 10, verbose: 10, info: 20, log: 20, warn: 30, error: 40, fatal: 50, silent: 100 } as const;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogSink = (line: string) => void;

/** LOG_FORMAT: json (one object per line), pretty (for people), auto: pretty on a terminal. */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

export function logFormatFrom(value: string | undefined, terminal: boolean): LogFormat {
  const chosen = value === undefined || value === '' ? 'auto' : value;
  return chosen === 'auto' ? (terminal ? 'pretty' : 'json') : (chosen as LogFormat);
}

/**
 * The sink for people: each JSON line (already redacted) rendered by pino-pretty's formatter,
 * colored on a terminal. The line is made exactly as for JSON output, so redaction is the same.
 */
export function prettySink(write: (text: string) => void = (text) => process.stdout.write(text)): LogSink {
  // Loaded only when asked for: the JSON path (servers, containers, the agent) never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { prettyFactory } = require('pino-pretty') as typeof import('pino-pretty');
  const pretty = prettyFactory({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    messageKey: 'msg',
    singleLine: true,
  });
  return (line) => write(pretty(line));
}

/** Nest's start-up chatter (module loading, one line per route): debug, not info. */
const NEST_START_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * One JSON object per line on stdout, every string passed through redaction. Nest's own
 * messages and ours go through the same path. Lines written while a request is served carry
 * its `requestId` (log-context.ts).
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    level: LogLevel = 'info',
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.threshold = LEVELS[level];
  }

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    this.write(typeof context === 'string' && NEST_START_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: keyof typeof LEVELS, message: unknown, rest: unknown[]): void {
    if (LEVELS[level] < this.threshold) {
      return;
    }
    // Nest passes the context as the last string argument.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      context,
      requestId: logContext.getStore()?.requestId,
    };
    if (typeof message === 'string') {
      entry.msg = redactText(message);
    } else if (message instanceof Error) {
      entry.msg = redactText(message.message);
      entry.err = redact(message);
    } else if (message && typeof message === 'object') {
      Object.assign(entry, redact(message));
    }
    for (const extra of rest) {
      if (typeof extra === 'string') {
        entry.stack = redactText(extra);
      } else if (extra !== undefined) {
        entry.detail = redact(extra);
      }
    }
    this.sink(JSON.stringify(entry));
  }
}
