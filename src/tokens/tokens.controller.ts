import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Problems } from '../domain/problems/problems';
import { IdParam } from '../common/http/id.pipe';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import { NetworksService } from '../networks/networks.service';
import { CurrentPrincipal } from '../common/http/auth.decorators';
import type { ApiTokenRecord } from './auth.repository';
import { AuthService } from './auth.service';
import type { Principal } from '../domain/principal/principal';
import { CreatedToken, CreateTokenBody, type CreateTokenInput, TokenList, TokenView } from './tokens.dto';

@ApiTags('tokens')
@Controller('v1/tokens')
export class TokensController {
  constructor(
    private readonly auth: AuthService,
    private readonly networks: NetworksService,
  ) {}

  @Post()
  @ApiOp({
    summary: 'Create an API token (the secret is in this response only)',
    body: CreateTokenBody,
    ok: { status: 201, schema: CreatedToken },
    problems: [400, 404],
  })
  async create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(CreateTokenBody)) body: CreateTokenInput) {
    let networkId: string | null = null;
    if (body.network !== undefined) {
      networkId = (await this.networks.resolve(principal, body.network)).id;
    } else if (body.role === 'agent') {
      throw Problems.validation([{ field: 'network', message: 'agent tokens belong to one network' }]);
    }
    const { token, secret } = await this.auth.createToken(principal, {
      name: body.name,
      role: body.role,
      networkId,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
    });
    return { ...(await this.view(token)), token: secret };
  }

  @Get()
  @ApiOp({ summary: 'List API tokens (never their secrets)', ok: { status: 200, schema: TokenList } })
  async list() {
    const tokens = await this.auth.listTokens();
    return { items: await Promise.all(tokens.map((t) => this.view(t))) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOp({ summary: 'Revoke an API token', ok: { status: 204 }, problems: [404] })
  async revoke(@CurrentPrincipal() principal: Principal, @IdParam('token') id: string) {
    await this.auth.revokeToken(principal, id);
  }

  private async view(t: ApiTokenRecord): Promise<typeof TokenView._output> {
    const network = t.networkId ? await this.networks.findById(t.networkId) : null;
    return {
      id: t.id,
      name: t.name,
      role: t.role,
      network: network?.name ?? null,
      prefix: t.prefix,
      createdAt: t.createdAt.toISOString(),
      expiresAt: t.expiresAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    };
  }
}
