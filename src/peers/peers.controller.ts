import { Body, Controller, Delete, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { ApiOp } from '../common/http/openapi.decorators';
import { openApiSchema } from '../common/http/zod';
import { ZodPipe } from '../common/http/zod';
import {
  EnrollBody,
  type EnrollInput,
  EnrollResponse,
  ListPeersQuery,
  type ListPeersInput,
  PeerList,
  PeerView,
  ReissueBody,
  type ReissueInput,
} from './peers.dto';
import { IDEMPOTENCY_KEY_PATTERN, PeersService } from './peers.service';
import { respondWithConfig } from './config-response';

@ApiTags('peers')
@Controller('v1')
export class PeersController {
  constructor(private readonly peers: PeersService) {}

  @Post('networks/:network/peers')
  @Allow('admin', 'requester', 'enrollment-key')
  @ApiOp({
    summary: 'Enroll one device',
    description:
      'Leases addresses, makes keys and returns the config once (delivery "inline") or a one-time claim link (delivery "link"). ' +
      'With Accept: text/plain and inline delivery the body is the .conf file itself.',
    body: EnrollBody,
    ok: { status: 201, schema: EnrollResponse, text: true },
    problems: [400, 404, 406, 409, 422],
    problemText: {
      409: 'Conflict: pool-exhausted, address-unavailable, public-key-in-use, hub-not-registered, or idempotent-replay (a retry whose config was already handed out; `peerId` names the peer)',
    },
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', pattern: '^[!-~]{1,255}$' },
    description:
      'Makes a retry safe: per credential and for 24 h, the same key with the same request makes no second peer or lease. ' +
      'The retry gets 200 with the peer (and `Idempotent-Replayed: true`) while its claim link is not redeemed, without the link ' +
      '(shown once); once the config was handed out (inline delivery, or a redeemed link) it gets 409 `idempotent-replay` with ' +
      '`peerId`. The same key with another request is 422 `idempotency-key-reused`. A failed enrollment leaves no key behind.',
  })
  @ApiResponse({
    status: 200,
    description:
      'Idempotent replay: the peer enrolled by the first request with this key (its claim link is not repeated)',
    headers: { 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] } } },
    content: { 'application/json': { schema: openApiSchema(EnrollResponse) } },
  })
  enroll(
    @CurrentPrincipal() principal: Principal,
    @Param('network') network: string,
    @Body(new ZodPipe(EnrollBody)) body: EnrollInput,
    @Headers('accept') accept: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new DomainError(
        400,
        'invalid-idempotency-key',
        'The Idempotency-Key header is not valid',
        'Use 1 to 255 visible ASCII characters, for example a UUID.',
      );
    }
    return respondWithConfig(res, accept, body.delivery, () =>
      this.peers.enroll(principal, network, body, idempotencyKey),
    );
  }

  @Get('networks/:network/peers')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'List peers (requesters see their own)',
    query: ListPeersQuery,
    ok: { status: 200, schema: PeerList },
    problems: [400, 404],
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('network') network: string,
    @Query(new ZodPipe(ListPeersQuery)) query: ListPeersInput,
  ) {
    return this.peers.list(principal, network, query);
  }

  @Get('peers/:id')
  @Allow('admin', 'requester')
  @ApiOp({ summary: 'Read a peer', ok: { status: 200, schema: PeerView }, problems: [404] })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.peers.getView(principal, id);
  }

  @Delete('peers/:id')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'Revoke a peer: it leaves the hub, its address cools down',
    ok: { status: 200, schema: PeerView },
    problems: [404],
  })
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.peers.revoke(principal, id);
  }

  @Post('peers/:id/reissue')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'New keys and a new one-time config; the old key leaves the hub',
    body: ReissueBody,
    ok: { status: 201, schema: EnrollResponse, text: true },
    problems: [400, 404, 406, 409],
  })
  reissue(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body(new ZodPipe(ReissueBody)) body: ReissueInput,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return respondWithConfig(res, accept, body.delivery, () => this.peers.reissue(principal, id, body));
  }
}
