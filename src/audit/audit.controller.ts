import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import { AuditList, AuditQuery, type AuditQueryInput } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOp({
    summary: 'Audit events, newest first',
    query: AuditQuery,
    ok: { status: 200, schema: AuditList },
    problems: [400],
  })
  list(@Query(new ZodPipe(AuditQuery)) query: AuditQueryInput) {
    return this.audit.list(query);
  }
}
