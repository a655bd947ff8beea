import { Injectable } from '@nestjs/common';
import { DomainError, Problems } from '../common/errors/domain-error';
import { UUID_PATTERN, uuidv7 } from '../domain/ids/uuid';
import { hashSecret, kindOfSecret, maskedPrefix, newSecret } from '../domain/tokens/tokens';
import { AuditRepository } from '../audit/audit.repository';
import { postgresErrorCode } from '../database/prisma.service';
import { AuthRepository, type ApiTokenRecord, type EnrollmentKeyRecord } from './auth.repository';
import { actorOf, type Principal, type Role } from './principal';

const BEARER = /^Bearer\s+(\S{16,512})$/i;

@Injectable()
export class AuthService {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repository: AuthRepository,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Resolves an Authorization header to a principal, or says why not (401/403). allowSpent lets
   * an enrollment key without uses left through (an Idempotency-Key retry of an enrollment it
   * made; the enrollment itself still refuses to spend a use it does not have).
   */
  async authenticate(header: string | undefined, options: { allowSpent?: boolean } = {}): Promise<Principal> {
    if (header === undefined || header === '') {
      throw Problems.unauthenticated();
    }
    const match = BEARER.exec(header);
    if (!match) {
      throw Problems.invalidCredential();
    }
    const secret = match[1];
    const hash = hashSecret(secret);
    const now = new Date();
    if (kindOfSecret(secret) === 'enrollmentKey') {
      const key = await this.repository.findEnrollmentKeyByHash(hash);
      if (key === null) {
        throw Problems.invalidCredential();
      }
      if (key.revokedAt !== null) {
        throw new DomainError(
          401,
          'enrollment-key-revoked',
          'This enrollment key was revoked',
          'Ask the hub administrator for a new one.',
        );
      }
      if (key.expiresAt !== null && key.expiresAt <= now) {
        throw new DomainError(
          401,
          'enrollment-key-expired',
          'This enrollment key has expired',
          'Ask the hub administrator for a new one.',
        );
      }
      if (key.uses >= key.maxUses && options.allowSpent !== true) {
        throw new DomainError(
          403,
          'enrollment-key-spent',
          'This enrollment key has no uses left',
          `It allowed ${key.maxUses} enrollment(s).`,
        );
      }
      return { kind: 'enrollment-key', id: key.id, networkId: key.networkId };
    }
    const token = await this.repository.findTokenByHash(hash);
    if (token === null || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now)) {
      throw Problems.invalidCredential();
    }
    this.touch(token.id);
    return { kind: 'token', id: token.id, role: token.role, networkId: token.networkId };
  }

  /** last_used_at is coarse (a minute): one write per token per minute and process at most. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < 60_000) {
      return;
    }
    if (this.touched.size > 10_000) {
      this.touched.clear();
    }
    this.touched.set(id, now);
    void this.repository.touchToken(id).catch(() => undefined);
  }

  /** Creates an API token; the secret exists in the return value only. */
  async createToken(
    actor: Principal | null,
    input: { name: string; role: Role; networkId: string | null; expiresAt: Date | null; secret?: string },
  ): Promise<{ token: ApiTokenRecord; secret: string }> {
    const secret = input.secret ?? newSecret('apiToken');
    const token = await this.repository.createToken({
      id: uuidv7(),
      name: input.name,
      role: input.role,
      networkId: input.networkId,
      prefix: maskedPrefix(secret),
      secretHash: hashSecret(secret),
      createdBy: actor ? actorOf(actor) : null,
      expiresAt: input.expiresAt,
    });
    await this.audit.record({
      actor: actorOf(actor),
      action: 'token.created',
      networkId: input.networkId,
      targetType: 'token',
      targetId: token.id,
      details: { name: input.name, role: input.role, prefix: token.prefix },
    });
    return { token, secret };
  }

  /** Registers a given secret (ADMIN_TOKEN) as an admin token unless it is registered already. */
  async ensureAdminSecret(secret: string): Promise<boolean> {
    if ((await this.repository.findTokenByHash(hashSecret(secret))) !== null) {
      return false;
    }
    try {
      await this.createToken(null, { name: 'ADMIN_TOKEN', role: 'admin', networkId: null, expiresAt: null, secret });
    } catch (error) {
      // Replicas starting together on a new database race to register it: one wins, the rest
      // find it registered.
      if (postgresErrorCode(error) === '23505') {
        return false;
      }
      throw error;
    }
    return true;
  }

  hasAdminToken(): Promise<boolean> {
    return this.repository.hasAdminToken();
  }

  /** Revokes the live tokens with this name in a network (the embedded agent's from an earlier run). */
  async revokeTokensNamed(name: string, networkId: string): Promise<void> {
    for (const token of await this.repository.listTokens()) {
      if (token.name === name && token.networkId === networkId && token.revokedAt === null) {
        await this.revokeToken(null, token.id);
      }
    }
  }

  listTokens(): Promise<ApiTokenRecord[]> {
    return this.repository.listTokens();
  }

  async revokeToken(actor: Principal | null, id: string): Promise<ApiTokenRecord> {
    const token = UUID_PATTERN.test(id) ? await this.repository.revokeToken(id) : null;
    if (token === null) {
      throw Problems.notFound('token');
    }
    await this.audit.record({
      actor: actorOf(actor),
      action: 'token.revoked',
      networkId: token.networkId,
      targetType: 'token',
      targetId: id,
    });
    return token;
  }

  async createEnrollmentKey(
    actor: Principal,
    networkId: string,
    input: { name: string; maxUses: number; expiresAt: Date | null },
  ): Promise<{ key: EnrollmentKeyRecord; secret: string }> {
    const secret = newSecret('enrollmentKey');
    const key = await this.repository.createEnrollmentKey({
      id: uuidv7(),
      networkId,
      name: input.name,
      prefix: maskedPrefix(secret),
      secretHash: hashSecret(secret),
      maxUses: input.maxUses,
      expiresAt: input.expiresAt,
      createdBy: actorOf(actor),
    });
    await this.audit.record({
      actor: actorOf(actor),
      action: 'enrollment-key.created',
      networkId,
      targetType: 'enrollment-key',
      targetId: key.id,
      details: { name: key.name, prefix: key.prefix, maxUses: key.maxUses },
    });
    return { key, secret };
  }

  listEnrollmentKeys(networkId: string): Promise<EnrollmentKeyRecord[]> {
    return this.repository.listEnrollmentKeys(networkId);
  }

  async revokeEnrollmentKey(actor: Principal, networkId: string, id: string): Promise<EnrollmentKeyRecord> {
    const key = UUID_PATTERN.test(id) ? await this.repository.revokeEnrollmentKey(networkId, id) : null;
    if (key === null) {
      throw Problems.notFound('enrollment-key');
    }
    await this.audit.record({
      actor: actorOf(actor),
      action: 'enrollment-key.revoked',
      networkId,
      targetType: 'enrollment-key',
      targetId: id,
    });
    return key;
  }
}
