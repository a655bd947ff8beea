import { Injectable } from '@nestjs/common';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import { postgresErrorCode, PrismaService, UNIQUE_VIOLATION } from '../database/prisma.service';
import type { Role } from '../domain/principal/principal';

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  networkId: string | null;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** A personal token: it acts as this person (requester role). */
  ownerUserId: string | null;
}

const TOKEN_FIELDS = {
  id: true,
  name: true,
  role: true,
  networkId: true,
  prefix: true,
  createdBy: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  ownerUserId: true,
} as const;

@Injectable()
export class AuthRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Runs on every authenticated request: through pg, one prepared statement, rather than
   * Prisma, whose per-query CPU showed in the enrollment's profile. The columns of TOKEN_FIELDS.
   */
  async findTokenByHash(secretHash: string): Promise<ApiTokenRecord | null> {
    const { rows } = await this.prisma.pool.query<ApiTokenRecord>({
      name: 'api-token-by-hash',
      text: `SELECT id::text, name, role::text, network_id::text AS "networkId", prefix, created_by AS "createdBy",
          created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt",
          last_used_at AS "lastUsedAt", owner_user_id::text AS "ownerUserId"
        FROM api_token WHERE secret_hash = $1`,
      values: [secretHash],
    });
    return rows[0] ?? null;
  }

  async touchToken(id: string): Promise<void> {
    // Coarse on purpose: one write per token per minute at most.
    await this.prisma
      .$executeRaw`UPDATE api_token SET last_used_at = now() WHERE id = ${id}::uuid AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
  }

  /**
   * Creates the token; its audit event commits with it. With ifAbsent, a secret that is
   * registered already (a replica that won the race) gives null instead of an error.
   */
  async createToken(
    data: {
      id: string;
      name: string;
      role: Role;
      networkId: string | null;
      prefix: string;
      secretHash: string;
      createdBy: string | null;
      expiresAt: Date | null;
      ownerUserId?: string | null;
    },
    event: (token: ApiTokenRecord) => AuditInput,
    options: { ifAbsent?: boolean } = {},
  ): Promise<ApiTokenRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const token = await tx.apiToken.create({ data, select: TOKEN_FIELDS });
        await this.audit.record(event(token), tx);
        return token;
      });
    } catch (error) {
      if (options.ifAbsent === true && postgresErrorCode(error) === UNIQUE_VIOLATION) {
        return null;
      }
      throw error;
    }
  }

  listTokens(): Promise<ApiTokenRecord[]> {
    return this.prisma.apiToken.findMany({ select: TOKEN_FIELDS, orderBy: { id: 'asc' } });
  }

  /** Revokes a live token (the audit event commits with it); a revoked one is returned as it is. */
  revokeToken(id: string, event: (token: ApiTokenRecord) => AuditInput): Promise<ApiTokenRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const result = await tx.apiToken.updateManyAndReturn({
        where: { id, revokedAt: null },
        data: { revokedAt: new Date() },
        select: TOKEN_FIELDS,
      });
      const token = result[0] ?? (await tx.apiToken.findUnique({ where: { id }, select: TOKEN_FIELDS }));
      if (token !== null) {
        await this.audit.record(event(token), tx);
      }
      return token;
    });
  }

  hasAdminToken(): Promise<boolean> {
    return this.prisma.apiToken.count({ where: { role: 'admin', revokedAt: null } }).then((n) => n > 0);
  }
}
