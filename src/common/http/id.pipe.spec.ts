import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../domain/ids/uuid';
import { DomainError } from '../../domain/problems/problems';
import { UuidPipe } from './id.pipe';

describe('UuidPipe', () => {
  it('passes a well-formed id through unchanged', () => {
    const id = uuidv7();
    expect(new UuidPipe('peer').transform(id)).toBe(id);
  });

  it.each(['not-a-uuid', '', '01A21674-A0EB-7561-B389-93E0F4F0CAAB', `${uuidv7()}x`, "' OR 1=1 --"])(
    'answers %j as the kind of row it would have named: not found',
    (value) => {
      for (const what of ['peer', 'token', 'enrollment-key'] as const) {
        const thrown = (() => {
          try {
            new UuidPipe(what).transform(value);
          } catch (e) {
            return e;
          }
        })();
        expect(thrown).toBeInstanceOf(DomainError);
        expect((thrown as DomainError).code).toBe(`${what}-not-found`);
      }
    },
  );
});
