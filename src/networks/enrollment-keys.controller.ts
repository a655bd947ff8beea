import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { EnrollmentKeyRecord } from '../auth/auth.repository';
import { CurrentPrincipal } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import {
  CreatedEnrollmentKey,
  CreateEnrollmentKeyBody,
  type CreateEnrollmentKeyInput,
  EnrollmentKeyList,
} from '../auth/tokens.dto';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import { NetworksService } from './networks.service';

@ApiTags('enrollment keys')
@Controller('v1/networks/:network/enrollment-keys')
export class EnrollmentKeysController {
  constructor(
    private readonly auth: AuthService,
    private readonly networks: NetworksService,
  ) {}

  @Post()
  @ApiOp({
    summary: 'Create an enrollment key (the secret is in this response only)',
    body: CreateEnrollmentKeyBody,
    ok: { status: 201, schema: CreatedEnrollmentKey },
    problems: [400, 404],
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('network') name: string,
    @Body(new ZodPipe(CreateEnrollmentKeyBody)) body: CreateEnrollmentKeyInput,
  ) {
    const network = await this.networks.resolve(principal, name);
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    const { key, secret } = await this.auth.createEnrollmentKey(principal, network.id, {
      name: body.name,
      maxUses: body.maxUses,
      expiresAt,
    });
    return { ...view(network.name, key), key: secret };
  }

  @Get()
  @ApiOp({
    summary: 'List enrollment keys (never their secrets)',
    ok: { status: 200, schema: EnrollmentKeyList },
    problems: [404],
  })
  async list(@CurrentPrincipal() principal: Principal, @Param('network') name: string) {
    const network = await this.networks.resolve(principal, name);
    return { items: (await this.auth.listEnrollmentKeys(network.id)).map((k) => view(network.name, k)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOp({ summary: 'Revoke an enrollment key', ok: { status: 204 }, problems: [404] })
  async revoke(@CurrentPrincipal() principal: Principal, @Param('network') name: string, @Param('id') id: string) {
    const network = await this.networks.resolve(principal, name);
    await this.auth.revokeEnrollmentKey(principal, network.id, id);
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
