import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Role } from './principal';

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
}

export interface EnrollmentKeyRecord {
  id: string;
  networkId: string;
  name: string;
  prefix: string;
  maxUses: number;
  uses: number;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
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
} as const;

const KEY_FIELDS = {
  id: true,
  networkId: true,
  name: true,
  prefix: true,
  maxUses: true,
  uses: true,
  expiresAt: true,
  revokedAt: true,
  createdBy: true,
  createdAt: true,
} as const;

@Injectable()
export class AuthRepository {
  constructor(private readonly prisma: PrismaService) {}

  findTokenByHash(secretHash: string): Promise<ApiTokenRecord | null> {
    return this.prisma.apiToken.findUnique({ where: { secretHash }, select: TOKEN_FIELDS });
  }

  findEnrollmentKeyByHash(secretHash: string): Promise<EnrollmentKeyRecord | null> {
    return this.prisma.enrollmentKey.findUnique({ where: { secretHash }, select: KEY_FIELDS });
  }

  async touchToken(id: string): Promise<void> {
    // Coarse on purpose: one write per token per minute at most.
    await this.prisma
      .$executeRaw`UPDATE api_token SET last_used_at = now() WHERE id = ${id}::uuid AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
  }

  async createToken(data: {
    id: string;
    name: string;
    role: Role;
    networkId: string | null;
    prefix: string;
    secretHash: string;
    createdBy: string | null;
    expiresAt: Date | null;
  }): Promise<ApiTokenRecord> {
    return this.prisma.apiToken.create({ data, select: TOKEN_FIELDS });
  }

  listTokens(): Promise<ApiTokenRecord[]> {
    return this.prisma.apiToken.findMany({ select: TOKEN_FIELDS, orderBy: { id: 'asc' } });
  }

  async revokeToken(id: string): Promise<ApiTokenRecord | null> {
    const result = await this.prisma.apiToken.updateManyAndReturn({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
      select: TOKEN_FIELDS,
    });
    return result[0] ?? this.prisma.apiToken.findUnique({ where: { id }, select: TOKEN_FIELDS });
  }

  hasAdminToken(): Promise<boolean> {
    return this.prisma.apiToken.count({ where: { role: 'admin', revokedAt: null } }).then((n) => n > 0);
  }

  async createEnrollmentKey(data: {
    id: string;
    networkId: string;
    name: string;
    prefix: string;
    secretHash: string;
    maxUses: number;
    expiresAt: Date | null;
    createdBy: string;
  }): Promise<EnrollmentKeyRecord> {
    return this.prisma.enrollmentKey.create({ data, select: KEY_FIELDS });
  }

  listEnrollmentKeys(networkId: string): Promise<EnrollmentKeyRecord[]> {
    return this.prisma.enrollmentKey.findMany({ where: { networkId }, select: KEY_FIELDS, orderBy: { id: 'asc' } });
  }

  async revokeEnrollmentKey(networkId: string, id: string): Promise<EnrollmentKeyRecord | null> {
    const result = await this.prisma.enrollmentKey.updateManyAndReturn({
      where: { id, networkId, revokedAt: null },
      data: { revokedAt: new Date() },
      select: KEY_FIELDS,
    });
    return result[0] ?? this.prisma.enrollmentKey.findFirst({ where: { id, networkId }, select: KEY_FIELDS });
  }
}
