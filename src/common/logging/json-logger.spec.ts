import { describe, expect, it } from 'vitest';
import { JsonLogger, type LogLevel } from './json-logger';
import { logContext } from './log-context';

/** The JSON line the docs promise (docs/operations.md, "Logs"), and the levels LOG_LEVEL sets. */

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const logger = new JsonLogger(level, (line) => lines.push(line));
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the JSON logger', () => {
  it('writes one object per line: level by name, ISO time, context, request id, msg and the fields', () => {
    const { logger, lines, parsed } = capture();
    logContext.run({ requestId: 'req-7' }, () =>
      logger.log({ msg: 'request', method: 'GET', path: '/v1/networks', status: 200, ms: 1.25 }, 'http'),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [line] = parsed();
    expect(Object.keys(line).sort()).toEqual(
      ['context', 'level', 'method', 'ms', 'msg', 'path', 'requestId', 'status', 'time'].sort(),
    );
    expect(line).toMatchObject({ level: 'info', context: 'http', requestId: 'req-7', msg: 'request', status: 200 });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('writes an Error as msg plus err { name, message, stack }, and extra arguments as stack and detail', () => {
    const { logger, parsed } = capture();
    logger.error(new Error('it broke'), 'Ctx');
    logger.error('failed', 'at somewhere', 'Ctx');
    logger.warn({ msg: 'odd' }, { reason: 'x' });
    const [error, text, warn] = parsed();
    expect(error).toMatchObject({ level: 'error', context: 'Ctx', msg: 'it broke', err: { name: 'Error' } });
    expect(Object.keys(error.err as object).sort()).toEqual(['message', 'name', 'stack']);
    expect(text).toMatchObject({ msg: 'failed', stack: 'at somewhere', context: 'Ctx' });
    expect(warn).toMatchObject({ level: 'warn', msg: 'odd', detail: { reason: 'x' } });
    expect(parsed().every((l) => !('pid' in l) && !('hostname' in l))).toBe(true);
  });

  it('writes only lines at or above its level; silent writes nothing', () => {
    const levels = (level: LogLevel) => {
      const { logger, parsed } = capture(level);
      logger.debug('d');
      logger.verbose('v');
      logger.log('i');
      logger.warn('w');
      logger.error('e');
      logger.fatal('f');
      return parsed().map((l) => l.level);
    };
    expect(levels('debug')).toEqual(['debug', 'debug', 'info', 'warn', 'error', 'fatal']);
    expect(levels('info')).toEqual(['info', 'warn', 'error', 'fatal']);
    expect(levels('warn')).toEqual(['warn', 'error', 'fatal']);
    expect(levels('error')).toEqual(['error', 'fatal']);
    expect(levels('silent')).toEqual([]);
  });

  it("puts Nest's start-up chatter (module loading, route mapping) at debug", () => {
    const { logger, parsed } = capture('info');
    logger.log('Mapped {/v1/networks, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('wg-enroll listening', 'Main');
    expect(parsed().map((l) => l.msg)).toEqual(['wg-enroll listening']);
  });
});
