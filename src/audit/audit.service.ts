import { Injectable } from '@nestjs/common';
import { Problems } from '../domain/problems/problems';
import type { AuditQueryInput } from './audit.dto';
import { AuditRepository } from './audit.repository';

/** Reading the audit log, newest first, a page at a time. */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  async list(query: AuditQueryInput) {
    let networkId: string | undefined;
    if (query.network !== undefined) {
      networkId = (await this.repository.networkIdByName(query.network)) ?? undefined;
      if (networkId === undefined) {
        throw Problems.notFound('network');
      }
    }
    const rows = await this.repository.list({
      networkId,
      action: query.action,
      targetId: query.target,
      before: query.cursor === undefined ? undefined : BigInt(query.cursor),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((r) => ({ ...r, at: r.at.toISOString(), details: r.details as Record<string, unknown> })),
      nextCursor: rows.length > query.limit ? page[page.length - 1].id : null,
    };
  }
}
