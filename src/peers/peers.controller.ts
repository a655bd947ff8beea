import { Body, Controller, Delete, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiOp } from '../common/http/openapi.decorators';
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
import { PeersService } from './peers.service';
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
    problems: [400, 404, 406, 409],
  })
  enroll(
    @CurrentPrincipal() principal: Principal,
    @Param('network') network: string,
    @Body(new ZodPipe(EnrollBody)) body: EnrollInput,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return respondWithConfig(res, accept, body.delivery, () => this.peers.enroll(principal, network, body));
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
