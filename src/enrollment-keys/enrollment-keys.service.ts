import { Injectable } from '@nestjs/common';
import { Problems } from '../domain/problems/problems';
import { uuidv7 } from '../domain/ids/uuid';
import { actorOf, type Principal } from '../domain/principal/principal';
import { hashSecret, maskedPrefix, newSecret } from '../domain/tokens/tokens';
import { EnrollmentKeysRepository, type EnrollmentKeyRecord } from './enrollment-keys.repository';

/** Enrollment keys of a network: the secret exists in the create answer only. */
@Injectable()
export class EnrollmentKeysService {
  constructor(private readonly repository: EnrollmentKeysRepository) {}

  findByHash(secretHash: string): Promise<EnrollmentKeyRecord | null> {
    return this.repository.findByHash(secretHash);
  }

  async create(
    actor: Principal,
    networkId: string,
    input: { name: string; maxUses: number; expiresAt: Date | null },
  ): Promise<{ key: EnrollmentKeyRecord; secret: string }> {
    const secret = newSecret('enrollmentKey');
    const key = await this.repository.create(
      {
        id: uuidv7(),
        networkId,
        name: input.name,
        prefix: maskedPrefix(secret),
        secretHash: hashSecret(secret),
        maxUses: input.maxUses,
        expiresAt: input.expiresAt,
        createdBy: actorOf(actor),
      },
      (key) => ({
        actor: actorOf(actor),
        action: 'enrollment-key.created',
        networkId,
        targetType: 'enrollment-key',
        targetId: key.id,
        details: { name: key.name, prefix: key.prefix, maxUses: key.maxUses },
      }),
    );
    return { key, secret };
  }

  list(networkId: string): Promise<EnrollmentKeyRecord[]> {
    return this.repository.list(networkId);
  }

  /** Revokes a key of the network (the controller has checked the caller may see it). */
  async revoke(actor: Principal, networkId: string, id: string): Promise<EnrollmentKeyRecord> {
    const event = {
      actor: actorOf(actor),
      action: 'enrollment-key.revoked',
      networkId,
      targetType: 'enrollment-key',
      targetId: id,
    };
    const key = await this.repository.revoke(networkId, id, event);
    if (key === null) {
      throw Problems.notFound('enrollment-key');
    }
    return key;
  }
}
