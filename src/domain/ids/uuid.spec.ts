import { describe, expect, it } from 'vitest';
import { UUID_PATTERN, uuidv7 } from './uuid';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp at the front of a UUIDv7. */
function timeOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('uuidv7', () => {
  it('is a lower-case RFC 9562 version 7 UUID with the 10xx variant', () => {
    for (let i = 0; i < 1000; i++) {
      const id = uuidv7();
      expect(id).toMatch(UUID_PATTERN);
      expect(id).toMatch(V7);
      expect(id[14]).toBe('7');
      expect(parseInt(id[19], 16) >> 2).toBe(0b10);
    }
  });

  it('carries the timestamp in the first 48 bits, big-endian', () => {
    const now = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
    const id = uuidv7(now);
    expect(timeOf(id)).toBe(now);
    expect(id.slice(0, 13)).toBe(
      `${now.toString(16).padStart(12, '0').slice(0, 8)}-${now.toString(16).padStart(12, '0').slice(8)}`,
    );
    expect(uuidv7(0).startsWith('00000000-0000-7')).toBe(true);
    expect(uuidv7(2 ** 48 - 1).startsWith('ffffffff-ffff-7')).toBe(true);
    expect(uuidv7(0x0123456789ab).startsWith('01234567-89ab-7')).toBe(true);
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(after);
  });

  it('sorts by time, as text', () => {
    const times = [0, 1, 255, 256, 65535, 65536, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 2 ** 48 - 1];
    const ids = times.map((t) => uuidv7(t));
    expect([...ids].reverse().sort()).toEqual(ids);
    for (let i = 1; i < ids.length; i++) {
      expect(ids[i - 1] < ids[i], `${ids[i - 1]} < ${ids[i]}`).toBe(true);
    }
  });

  it('sorts ids made a millisecond apart, whatever their random bits', () => {
    const t = 1_750_000_000_000;
    for (let i = 0; i < 200; i++) {
      expect(uuidv7(t) < uuidv7(t + 1)).toBe(true);
    }
  });

  it('differs within one millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(1_750_000_000_000)));
    expect(ids.size).toBe(1000);
  });

  it('refuses a time that does not fit in 48 bits', () => {
    expect(() => uuidv7(2 ** 48)).toThrow();
    expect(() => uuidv7(-1)).toThrow();
  });
});

describe('UUID_PATTERN', () => {
  it('matches lower-case UUIDs only', () => {
    expect(UUID_PATTERN.test('0190f5a2-7c3e-7000-8000-000000000001')).toBe(true);
    expect(UUID_PATTERN.test('0190F5A2-7C3E-7000-8000-000000000001')).toBe(false);
    expect(UUID_PATTERN.test('0190f5a27c3e70008000000000000001')).toBe(false);
    expect(UUID_PATTERN.test('0190f5a2-7c3e-7000-8000-000000000001\n')).toBe(false);
    expect(UUID_PATTERN.test('')).toBe(false);
  });
});
