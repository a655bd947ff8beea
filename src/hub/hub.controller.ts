import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Allow, CurrentPrincipal } from '../common/http/auth.decorators';
import type { Principal } from '../domain/principal/principal';
import { ApiOp } from '../common/http/openapi.decorators';
import { ZodPipe } from '../common/http/zod';
import {
  DesiredState,
  DesiredStateQuery,
  type DesiredStateQueryInput,
  HubStatusBody,
  type HubStatusInput,
  NetworkStatus,
  NetworkStatusQuery,
  type NetworkStatusQueryInput,
} from './hub.dto';
import { HubStatusService } from './hub-status.service';
import { type DesiredStateText, HubService } from './hub.service';

/** `"123"` or `W/"123"` → `123`; anything else → null. */
function revisionFromEtag(header: string | undefined): string | null {
  const match = header ? /^(?:W\/)?"(\d{1,19})"$/.exec(header.trim()) : null;
  return match ? match[1] : null;
}

/** 200 with the state under its ETag, or 304 for the revision the agent has. */
function sendDesiredState(res: Response, state: DesiredStateText | null, known: string | null, closing: boolean) {
  res.setHeader('Cache-Control', 'no-store');
  if (closing) {
    res.setHeader('Connection', 'close');
  }
  if (state === null) {
    res.setHeader('ETag', `"${known}"`);
    res.status(304).end();
    return;
  }
  res.setHeader('ETag', `"${state.revision}"`);
  // The JSON text of a DesiredState, built once per revision.
  res.status(200).type('application/json').send(state.json);
}

const ETAG_DOC = {
  description: 'The revision of the state, quoted ("<revision>"); send it back as If-None-Match',
  schema: { type: 'string', pattern: '^"\\d{1,19}"$' },
  required: true,
};

@ApiTags('hub')
@Controller('v1/networks/:network')
export class HubController {
  constructor(
    private readonly hub: HubService,
    private readonly hubStatus: HubStatusService,
  ) {}

  @Get('hub/desired-state')
  @Allow('admin', 'agent')
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'The ETag of the state the agent has ("<revision>")',
  })
  @ApiOp({
    summary: "The hub's desired state: its interface and every active peer",
    description:
      'ETag is the revision. With If-None-Match equal to it the answer is 304; with ?wait=N as well, the request waits up to N ' +
      'seconds for the next change (woken through Postgres LISTEN/NOTIFY, whichever API process made the change).',
    query: DesiredStateQuery,
    ok: { status: 200, schema: DesiredState, description: 'The desired state', headers: { ETag: ETAG_DOC } },
    problems: [400, 404],
  })
  @ApiResponse({
    status: 304,
    description: 'Not Modified: If-None-Match names the current revision (after ?wait, no change came); no body',
    headers: { ETag: ETAG_DOC },
  })
  async desiredState(
    @CurrentPrincipal() principal: Principal,
    @Param('network') name: string,
    @Query(new ZodPipe(DesiredStateQuery)) query: DesiredStateQueryInput,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const network = await this.hub.network(principal, name);
    const abort = new AbortController();
    req.once('close', () => abort.abort());
    const known = revisionFromEtag(ifNoneMatch);
    const state = await this.hub.desiredState(network, known, query.wait * 1000, abort.signal);
    sendDesiredState(res, state, known, this.hub.stopping);
  }

  @Post('hub/status')
  @Allow('agent')
  @HttpCode(204)
  @ApiOp({
    summary: 'The agent reports what it applied and what the interface sees',
    body: HubStatusBody,
    ok: { status: 204 },
    problems: [404],
  })
  async status(
    @CurrentPrincipal() principal: Principal,
    @Param('network') name: string,
    @Body(new ZodPipe(HubStatusBody)) body: HubStatusInput,
  ) {
    await this.hub.recordStatus(await this.hub.network(principal, name), body);
  }

  @Get('status')
  @ApiOp({
    summary: 'Hub health, desired vs. applied revision, pool use and per-peer state',
    query: NetworkStatusQuery,
    ok: { status: 200, schema: NetworkStatus },
    problems: [400, 404],
  })
  async networkStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('network') name: string,
    @Query(new ZodPipe(NetworkStatusQuery)) query: NetworkStatusQueryInput,
  ) {
    return this.hubStatus.status(principal, name, query);
  }
}
