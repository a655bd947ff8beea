import { Injectable } from '@nestjs/common';
import { DomainError, Problems } from '../domain/problems/problems';
import { uuidv7 } from '../domain/ids/uuid';
import { hashSecret, kindOfSecret, maskedPrefix, newSecret } from '../domain/tokens/tokens';
import { EnrollmentKeysService } from '../enrollment-keys/enrollment-keys.service';
import { AuthRepository, type ApiTokenRecord } from './auth.repository';
import { actorOf, type Principal, type Role } from '../domain/principal/principal';

const BEARER = /^Bearer\s+(\S{16,512})$/i;

@Injectable()
export class AuthService {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repository: AuthRepository,
    private readonly enrollmentKeys: EnrollmentKeysService,
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
      const key = await this.enrollmentKeys.findByHash(hash);
      if (key === null) {
        throw Problems.invalidCredential();
      }
      if (key.revokedAt !== null) {
        throw new DomainError('enrollment-key-revoked', 'Ask the hub administrator for a new one.');
      }
      if (key.expiresAt !== null && key.expiresAt <= now) {
        throw new DomainError('enrollment-key-expired', 'Ask the hub administrator for a new one.');
      }
      if (key.uses >= key.maxUses && options.allowSpent !== true) {
        throw new DomainError('enrollment-key-spent', `It allowed ${key.maxUses} enrollment(s).`);
      }
      return { kind: 'enrollment-key', id: key.id, networkId: key.networkId };
    }
    const token = await this.repository.findTokenByHash(hash);
    if (token === null || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now)) {
      throw Problems.invalidCredential();
    }
    this.touch(token.id);
    if (token.ownerUserId !== null) {
      // A personal token acts as its person, with requester rights (never admin).
      return { kind: 'user', id: token.ownerUserId, role: 'requester', networkId: null, via: 'token' };
    }
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
    input: { name: string; role: Role; networkId: string | null; expiresAt: Date | null; ownerUserId?: string },
  ): Promise<{ token: ApiTokenRecord; secret: string }> {
    const secret = newSecret('apiToken');
    return { token: (await this.issue(actor, { ...input, secret }, false))!, secret };
  }

  private issue(
    actor: Principal | null,
    input: {
      name: string;
      role: Role;
      networkId: string | null;
      expiresAt: Date | null;
      secret: string;
      ownerUserId?: string;
    },
    ifAbsent: boolean,
  ): Promise<ApiTokenRecord | null> {
    const secret = input.secret;
    return this.repository.createToken(
      {
        id: uuidv7(),
        name: input.name,
        role: input.role,
        networkId: input.networkId,
        prefix: maskedPrefix(secret),
        secretHash: hashSecret(secret),
        createdBy: actor ? actorOf(actor) : null,
        expiresAt: input.expiresAt,
        ownerUserId: input.ownerUserId ?? null,
      },
      (token) => ({
        actor: actorOf(actor),
        action: 'token.created',
        networkId: input.networkId,
        targetType: 'token',
        targetId: token.id,
        details: { name: input.name, role: input.role, prefix: token.prefix },
      }),
      { ifAbsent },
    );
  }

  /** Registers a given secret (ADMIN_TOKEN) as an admin token unless it is registered already. */
  async ensureAdminSecret(secret: string): Promise<boolean> {
    if ((await this.repository.findTokenByHash(hashSecret(secret))) !== null) {
      return false;
    }
    // Replicas starting together on a new database race to register it: one wins, the rest
    // find it registered (null).
    const admin = { name: 'ADMIN_TOKEN', role: 'admin' as const, networkId: null, expiresAt: null, secret };
    return (await this.issue(null, admin, true)) !== null;
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

  /**
   * Revokes the API token an Authorization header presents (the caller authenticated with it):
   * a script that is done drops its credential, e.g. join.sh --login its token of minutes.
   */
  async revokePresented(actor: Principal, header: string | undefined): Promise<void> {
    const secret = BEARER.exec(header ?? '')?.[1];
    const bySession = actor.kind === 'user' && actor.via === 'session';
    const token =
      bySession || secret === undefined || kindOfSecret(secret) === 'enrollmentKey'
        ? null
        : await this.repository.findTokenByHash(hashSecret(secret));
    if (token === null) {
      throw Problems.forbidden(
        'Only an API token can revoke itself: a browser session signs out at POST /auth/logout.',
      );
    }
    await this.revokeToken(actor, token.id);
  }

  async revokeToken(actor: Principal | null, id: string): Promise<ApiTokenRecord> {
    const token = await this.repository.revokeToken(id, (revoked) => ({
      actor: actorOf(actor),
      action: 'token.revoked',
      networkId: revoked.networkId,
      targetType: 'token',
      targetId: id,
    }));
    if (token === null) {
      throw Problems.notFound('token');
    }
    return token;
  }
}
