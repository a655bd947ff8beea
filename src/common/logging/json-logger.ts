import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { logContext } from './log-context';
import { redact, SECRET_FIELD_NAMES } from './redact';

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
 * The pino logger behind JsonLogger: one JSON object per line, `level` as its name, `time` as
 * ISO 8601, no pid/hostname. Redaction runs inside pino on every line: `formatters.log` walks
 * the line's object, message included, with redact.ts (field names in any spelling at any
 * depth, secret shapes in any string: pino's `redact` paths can express neither), and pino's own
 * `redact` paths censor the known secret field names at the top level as a second net. (Its
 * `*.name` wildcard paths would add nothing the walk does not do and measured 20 µs per line.)
 */
export function createPino(level: LogLevel, sink?: LogSink): Logger {
  const destination =
    sink === undefined
      ? // Synchronous like process.stdout on a pipe or file: no line is lost at process.exit.
        pino.destination({ dest: 1, sync: true })
      : { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) };
  return pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      serializers: {
        // redact() already made an Error plain ({ name, message, stack }); keep that shape.
        err: (error: unknown) => error,
      },
      redact: { paths: [...SECRET_FIELD_NAMES], censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * Nest's LoggerService on pino (nestjs-pino's role; see docs/operations.md, "Logs", for why that
 * package is not used here). Nest's own messages and ours go through the same path: Nest passes
 * the context as the last string argument, an Error's message becomes `msg` with the error as
 * `err`, further string arguments are a `stack`, any other a `detail`.
 */
export class JsonLogger implements LoggerService {
  readonly pino: Logger;

  constructor(level: LogLevel = 'info', sink?: LogSink) {
    this.pino = createPino(level, sink);
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

  private write(level: 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) {
      return;
    }
    // Nest passes the context as the last string argument.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    // Lines written while a request is served carry its id (log-context.ts).
    const entry: Record<string, unknown> = { context, requestId: logContext.getStore()?.requestId };
    if (typeof message === 'string') {
      entry.msg = message;
    } else if (message instanceof Error) {
      entry.msg = message.message;
      entry.err = message;
    } else if (message && typeof message === 'object') {
      Object.assign(entry, message instanceof Map ? Object.fromEntries(message) : message);
    }
    for (const extra of rest) {
      if (typeof extra === 'string') {
        entry.stack = extra;
      } else if (extra !== undefined) {
        entry.detail = extra;
      }
    }
    // The message is the object's `msg` field (pino's messageKey), redacted with the rest.
    this.pino[level](entry);
  }
}
