import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

export interface AuditInput {
  readonly actor: string;
  readonly action: string;
  readonly networkId?: string | null;
  readonly targetType?: string;
  readonly targetId?: string;
  /** Never a secret: ids, names, addresses, prefixes, reasons. */
  readonly details?: Record<string, unknown>;
}

export interface AuditRecord {
  id: string;
  at: Date;
  actor: string;
  action: string;
  networkId: string | null;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
}

function toRow(event: AuditInput) {
  return {
    actor: event.actor,
    action: event.action,
    networkId: event.networkId ?? null,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    details: (event.details ?? {}) as Prisma.InputJsonValue,
  };
}

/**
 * An audit event written as part of another statement (the enrollment's one lease statement):
 * `select` gives actor, action, network_id, target_type, target_id and details, in that order.
 */
export const AUDIT_SQL = {
  insert: (select: string): string =>
    `INSERT INTO audit_event (actor, action, network_id, target_type, target_id, details) ${select}`,
};

/**
 * Writes audit events, each one inside the transaction of the change it records (the enrollment
 * writes its own event in its one lease statement, through AUDIT_SQL).
 */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inside the caller's transaction when one is given, so the event commits with the change. */
  async record(event: AuditInput, tx: Tx = this.prisma): Promise<void> {
    await tx.auditEvent.create({ data: toRow(event) });
  }

  /** Several events in one statement, inside the caller's transaction. */
  async recordMany(events: readonly AuditInput[], tx: Tx): Promise<void> {
    if (events.length === 0) {
      return;
    }
    await tx.auditEvent.createMany({ data: events.map(toRow) });
  }

  async networkIdByName(name: string): Promise<string | null> {
    return (await this.prisma.network.findUnique({ where: { name }, select: { id: true } }))?.id ?? null;
  }

  async list(filter: {
    networkId?: string;
    action?: string;
    targetId?: string;
    before?: bigint;
    limit: number;
  }): Promise<AuditRecord[]> {
    const rows = await this.prisma.auditEvent.findMany({
      where: {
        ...(filter.networkId ? { networkId: filter.networkId } : {}),
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.targetId ? { targetId: filter.targetId } : {}),
        ...(filter.before !== undefined ? { id: { lt: filter.before } } : {}),
      },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
    return rows.map((r) => ({ ...r, id: r.id.toString() }));
  }
}
