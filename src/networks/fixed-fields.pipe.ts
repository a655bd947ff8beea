import { PipeTransform } from '@nestjs/common';
import { DomainError } from '../domain/problems/problems';

/**
 * Fields of a network that PATCH cannot change, and why: refused with their own code (not as
 * "unknown field") so the answer says what to do instead. Runs before the body's ZodPipe.
 */
const FIXED: Readonly<Record<string, string>> = {
  name: 'the name is in URLs, tokens and file names; create a new network instead',
  ipv4Cidr:
    'live peers hold addresses of this range and run configs with them; create a new network (POST /v1/networks) ' +
    'and enroll the devices there',
  ipv6Cidr:
    'live peers hold addresses of this range and run configs with them; create a new network (POST /v1/networks) ' +
    'and enroll the devices there',
  listenPort: "the hub agent registers the hub's port (PUT /v1/networks/{network}/hub)",
  hubPublicKey: 'the hub agent registers its key (PUT /v1/networks/{network}/hub)',
};

export class FixedNetworkFieldsPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return value;
    }
    const fixed = Object.keys(value).filter((key) => Object.hasOwn(FIXED, key));
    if (fixed.length > 0) {
      const errors = fixed.map((field) => ({ field, message: `cannot be changed: ${FIXED[field]}` }));
      throw new DomainError('setting-not-changeable', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
        errors,
      });
    }
    return value;
  }
}
