import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client';
import { isDatabaseUnavailable } from './unavailable';

describe('isDatabaseUnavailable', () => {
  it('recognises the shapes a lost database takes', () => {
    const known = (code: string, message: string) =>
      new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: '7' });
    expect(isDatabaseUnavailable(known('P1001', "Can't reach database server at 127.0.0.1:5432"))).toBe(true);
    expect(isDatabaseUnavailable(known('P1017', 'Server has closed the connection.'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(known('P2028', 'Transaction API error: Transaction already closed'))).toBe(true);
    expect(isDatabaseUnavailable({ name: 'DriverAdapterError', cause: { kind: 'ConnectionClosed' } })).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: { code: 'ECONNRESET' } }))).toBe(true);
    expect(isDatabaseUnavailable({ meta: { driverAdapterError: { cause: { code: '57P03' } } } })).toBe(true);
  });

  it('does not take request or code faults for an outage', () => {
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(
      isDatabaseUnavailable(new Prisma.PrismaClientKnownRequestError('Unique', { code: 'P2002', clientVersion: '7' })),
    ).toBe(false);
    expect(isDatabaseUnavailable({ name: 'DriverAdapterError', cause: { kind: 'UniqueConstraintViolation' } })).toBe(
      false,
    );
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });
});
