import { Injectable } from '@nestjs/common';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import { PrismaService } from '../database/prisma.service';

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
export class EnrollmentKeysRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  findByHash(secretHash: string): Promise<EnrollmentKeyRecord | null> {
    return this.prisma.enrollmentKey.findUnique({ where: { secretHash }, select: KEY_FIELDS });
  }

  /** Creates the key; its audit event commits with it. */
  create(
    data: {
      id: string;
      networkId: string;
      name: string;
      prefix: string;
      secretHash: string;
      maxUses: number;
      expiresAt: Date | null;
      createdBy: string;
    },
    event: (key: EnrollmentKeyRecord) => AuditInput,
  ): Promise<EnrollmentKeyRecord> {
    return this.prisma.$transaction(async (tx) => {
      const key = await tx.enrollmentKey.create({ data, select: KEY_FIELDS });
      await this.audit.record(event(key), tx);
      return key;
    });
  }

  list(networkId: string): Promise<EnrollmentKeyRecord[]> {
    return this.prisma.enrollmentKey.findMany({ where: { networkId }, select: KEY_FIELDS, orderBy: { id: 'asc' } });
  }

  /** Revokes a live key (the audit event commits with it); an already revoked key is returned as it is. */
  revoke(networkId: string, id: string, event: AuditInput): Promise<EnrollmentKeyRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const result = await tx.enrollmentKey.updateManyAndReturn({
        where: { id, networkId, revokedAt: null },
        data: { revokedAt: new Date() },
        select: KEY_FIELDS,
      });
      const key = result[0] ?? (await tx.enrollmentKey.findFirst({ where: { id, networkId }, select: KEY_FIELDS }));
      if (key !== null) {
        await this.audit.record(event, tx);
      }
      return key;
    });
  }
}
