import { Body, Controller, Delete, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../common/http/auth.decorators';
import { IdParam } from '../common/http/id.pipe';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import type { Principal } from '../domain/principal/principal';
import { Problems } from '../domain/problems/problems';
import { AuthService } from '../tokens/auth.service';
import { IdentityService } from './identity.service';
import {
  DisableUserBody,
  type DisableUserInput,
  PersonalToken,
  PersonalTokenBody,
  type PersonalTokenInput,
  UserList,
  UserView,
} from './users.dto';

/** People who signed in (admins), and a person's own API token. */
@ApiTags('users')
@Controller('v1')
export class UsersController {
  constructor(
    private readonly identity: IdentityService,
    private readonly auth: AuthService,
  ) {}

  @Get('users')
  @ApiOp({
    summary: 'People who signed in: name, e-mail, last sign-in, devices',
    ok: { status: 200, schema: UserList },
  })
  async list() {
    return { items: await this.identity.listUsers() };
  }

  @Post('users/:id/disable')
  @HttpCode(200)
  @ApiOp({
    summary: 'Disable a person: signed out everywhere, tokens revoked, devices off the hub or revoked',
    body: DisableUserBody,
    ok: { status: 200, schema: UserView },
    problems: [400, 404, 409],
  })
  async disable(
    @CurrentPrincipal() principal: Principal,
    @IdParam('user') id: string,
    @Body(new ZodPipe(DisableUserBody)) body: DisableUserInput,
  ) {
    const user = await this.identity.disable(principal, id, body.devices);
    return this.identity.view(user, 0);
  }

  @Post('me/tokens')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'A personal API token (requester rights, acting as you); the secret is in this response only',
    body: PersonalTokenBody,
    ok: { status: 201, schema: PersonalToken },
    problems: [400, 403],
  })
  async personalToken(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(PersonalTokenBody)) body: PersonalTokenInput,
  ) {
    if (principal.kind !== 'user' || principal.via !== 'session') {
      throw Problems.forbidden('Personal tokens are made by a signed-in person (a browser session).');
    }
    const { token, secret } = await this.auth.createToken(principal, {
      name: body.name,
      role: 'requester',
      networkId: null,
      expiresAt: null,
      ownerUserId: principal.id,
    });
    return { id: token.id, name: token.name, prefix: token.prefix, token: secret };
  }

  @Delete('me/token')
  @Allow('admin', 'requester')
  @HttpCode(204)
  @ApiOp({
    summary: 'Revoke the API token this request presents (a script that is done drops its credential)',
    ok: { status: 204 },
    problems: [403],
  })
  async revokePresentedToken(
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string | undefined,
  ) {
    await this.auth.revokePresented(principal, authorization);
  }
}
