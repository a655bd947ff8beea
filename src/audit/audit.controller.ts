import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import { AuditRepository } from './audit.repository';
import { Problems } from '../domain/problems/problems';

const AuditQuery = z.strictObject({
  network: z.string().max(64).optional(),
  action: z.string().max(64).optional().describe('e.g. peer.enrolled, peer.claim-refused'),
  target: z.string().max(64).optional().describe('Target id (peer, token, key or network id)'),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'not a cursor this API handed out')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
type AuditQueryInput = z.infer<typeof AuditQuery>;

const AuditEventView = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  networkId: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
const AuditList = z.object({ items: z.array(AuditEventView), nextCursor: z.string().nullable() });

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @ApiOp({
    summary: 'Audit events, newest first',
    query: AuditQuery,
    ok: { status: 200, schema: AuditList },
    problems: [400],
  })
  async list(@Query(new ZodPipe(AuditQuery)) query: AuditQueryInput) {
    let networkId: string | undefined;
    if (query.network !== undefined) {
      networkId = (await this.audit.networkIdByName(query.network)) ?? undefined;
      if (networkId === undefined) {
        throw Problems.notFound('network');
      }
    }
    const rows = await this.audit.list({
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
