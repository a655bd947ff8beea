import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/http/auth.decorators';
import { IdParam } from '../common/http/id.pipe';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import type { Principal } from '../domain/principal/principal';
import type { NetworkRecord } from '../networks/networks.repository';
import { VisibleNetwork } from '../networks/network.pipe';
import {
  CreatedEnrollmentKey,
  CreateEnrollmentKeyBody,
  type CreateEnrollmentKeyInput,
  EnrollmentKeyList,
} from './enrollment-keys.dto';
import type { EnrollmentKeyRecord } from './enrollment-keys.repository';
import { EnrollmentKeysService } from './enrollment-keys.service';

@ApiTags('enrollment keys')
@Controller('v1/networks/:network/enrollment-keys')
export class EnrollmentKeysController {
  constructor(private readonly keys: EnrollmentKeysService) {}

  @Post()
  @ApiOp({
    summary: 'Create an enrollment key (the secret is in this response only)',
    body: CreateEnrollmentKeyBody,
    ok: { status: 201, schema: CreatedEnrollmentKey },
    problems: [400, 404],
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @VisibleNetwork() network: NetworkRecord,
    @Body(new ZodPipe(CreateEnrollmentKeyBody)) body: CreateEnrollmentKeyInput,
  ) {
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    const { key, secret } = await this.keys.create(principal, network.id, { ...body, expiresAt });
    return { ...view(network.name, key), key: secret };
  }

  @Get()
  @ApiOp({
    summary: 'List enrollment keys (never their secrets)',
    ok: { status: 200, schema: EnrollmentKeyList },
    problems: [404],
  })
  async list(@VisibleNetwork() network: NetworkRecord) {
    return { items: (await this.keys.list(network.id)).map((k) => view(network.name, k)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOp({ summary: 'Revoke an enrollment key', ok: { status: 204 }, problems: [404] })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @IdParam('enrollment-key') id: string,
    @VisibleNetwork() network: NetworkRecord,
  ) {
    await this.keys.revoke(principal, network.id, id);
  }
}

function view(network: string, k: EnrollmentKeyRecord) {
  return {
    id: k.id,
    network,
    name: k.name,
    prefix: k.prefix,
    maxUses: k.maxUses,
    uses: k.uses,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
  };
}
