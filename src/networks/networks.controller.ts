import { Body, Controller, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../common/http/auth.decorators';
import type { Principal } from '../domain/principal/principal';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import {
  CreateNetworkBody,
  type CreateNetworkInput,
  NetworkList,
  NetworkView,
  PutHubBody,
  type PutHubInput,
  UpdateNetworkBody,
  type UpdateNetworkInput,
} from './networks.dto';
import { FixedNetworkFieldsPipe } from './fixed-fields.pipe';
import { NetworksService } from './networks.service';

@ApiTags('networks')
@Controller('v1/networks')
export class NetworksController {
  constructor(private readonly networks: NetworksService) {}

  @Post()
  @ApiOp({
    summary: 'Create a network',
    body: CreateNetworkBody,
    ok: { status: 201, schema: NetworkView },
    problems: [400, 409],
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(CreateNetworkBody)) body: CreateNetworkInput,
  ) {
    return this.networks.view(await this.networks.create(principal, body), true);
  }

  @Get()
  @ApiOp({ summary: 'List networks', ok: { status: 200, schema: NetworkList } })
  async list() {
    return { items: await Promise.all((await this.networks.list()).map((n) => this.networks.view(n))) };
  }

  @Get(':network')
  @ApiOp({ summary: 'Read a network, with its pool use', ok: { status: 200, schema: NetworkView }, problems: [404] })
  async get(@CurrentPrincipal() principal: Principal, @Param('network') name: string) {
    return this.networks.view(await this.networks.resolve(principal, name), true);
  }

  @Patch(':network')
  @ApiOp({
    summary: "Change a network's settings",
    description:
      'Endpoint, DNS, MTU, keepalive and AllowedIPs: validated as on create, audited (before and after). Configs ' +
      'served before keep their old values; the status counts those peers (olderSettings) and a reissue serves ' +
      'the new ones. A keepalive change is a change of the desired state too (the hub agent reads it).',
    body: UpdateNetworkBody,
    ok: { status: 200, schema: NetworkView },
    problems: [400, 404],
  })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('network') name: string,
    @Body(new FixedNetworkFieldsPipe(), new ZodPipe(UpdateNetworkBody)) body: UpdateNetworkInput,
  ) {
    return this.networks.view(await this.networks.update(principal, name, body), true);
  }

  @Put(':network/hub')
  @Allow('admin', 'agent')
  @ApiOp({
    summary: "Register the hub's public key and listen port",
    description:
      'The hub agent calls this with its agent token. Replacing a registered key needs an admin and replaceKey: true.',
    body: PutHubBody,
    ok: { status: 200, schema: NetworkView },
    problems: [400, 404, 409],
  })
  async putHub(
    @CurrentPrincipal() principal: Principal,
    @Param('network') name: string,
    @Body(new ZodPipe(PutHubBody)) body: PutHubInput,
  ) {
    return this.networks.view(await this.networks.putHub(principal, name, body));
  }
}
