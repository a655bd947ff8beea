import { Body, Controller, Delete, Get, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../common/http/auth.decorators';
import { IdParam } from '../common/http/id.pipe';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import type { Principal } from '../domain/principal/principal';
import type { NetworkRecord } from '../networks/networks.repository';
import { VisibleNetwork } from '../networks/network.pipe';
import {
  ListPeersQuery,
  type ListPeersInput,
  MyDeviceList,
  PeerList,
  PeerView,
  RenamePeerBody,
  type RenamePeerInput,
} from './peers.dto';
import { PeersService } from './peers.service';

@ApiTags('peers')
@Controller('v1')
export class PeersController {
  constructor(private readonly peers: PeersService) {}

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
    @VisibleNetwork() network: NetworkRecord,
    @Query(new ZodPipe(ListPeersQuery)) query: ListPeersInput,
  ) {
    return this.peers.list(principal, network, query);
  }

  @Get('me/devices')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'The caller\'s own devices in every network (the "my devices" page)',
    ok: { status: 200, schema: MyDeviceList },
  })
  async mine(@CurrentPrincipal() principal: Principal) {
    return { items: await this.peers.mine(principal) };
  }

  @Get('peers/:id')
  @Allow('admin', 'requester')
  @ApiOp({ summary: 'Read a peer', ok: { status: 200, schema: PeerView }, problems: [404] })
  get(@CurrentPrincipal() principal: Principal, @IdParam('peer') id: string) {
    return this.peers.getView(principal, id);
  }

  @Patch('peers/:id')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'Rename a peer (its served file name stays the one given at enrollment)',
    body: RenamePeerBody,
    ok: { status: 200, schema: PeerView },
    problems: [400, 404, 409],
  })
  rename(
    @CurrentPrincipal() principal: Principal,
    @IdParam('peer') id: string,
    @Body(new ZodPipe(RenamePeerBody)) body: RenamePeerInput,
  ) {
    return this.peers.rename(principal, id, body.name);
  }

  @Delete('peers/:id')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'Revoke a peer: it leaves the hub, its address cools down',
    ok: { status: 200, schema: PeerView },
    problems: [404],
  })
  revoke(@CurrentPrincipal() principal: Principal, @IdParam('peer') id: string) {
    return this.peers.revoke(principal, id);
  }
}
