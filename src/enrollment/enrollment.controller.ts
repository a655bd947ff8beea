import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentPrincipal } from '../common/http/auth.decorators';
import { IdParam } from '../common/http/id.pipe';
import { ApiOp, PROBLEM_REF } from '../common/http/openapi.decorators';
import { openApiSchema, ZodPipe } from '../common/http/zod';
import type { Principal } from '../domain/principal/principal';
import { DomainError } from '../domain/problems/problems';
import type { NetworkRecord } from '../networks/networks.repository';
import { VisibleNetwork } from '../networks/network.pipe';
import {
  EnrollBody,
  type EnrollInput,
  EnrollResponse,
  PeerView,
  ReissueBody,
  type ReissueInput,
} from '../peers/peers.dto';
import { PEER_CREATED_HEADERS_DOC, respondWithConfig } from './config-response';
import { EnrollmentService } from './enrollment.service';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency';

function checkedIdempotencyKey(key: string | undefined): string | undefined {
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new DomainError('invalid-idempotency-key', 'Use 1 to 255 visible ASCII characters, for example a UUID.');
  }
  return key;
}

/** The 409 body: a Problem; with code idempotent-replay it also names the peer (peerId, peer). */
const IDEMPOTENT_REPLAY_PROBLEM = {
  allOf: [
    PROBLEM_REF,
    {
      type: 'object',
      properties: {
        peerId: { type: 'string', description: 'idempotent-replay: the peer the first request enrolled' },
        peer: { ...openApiSchema(PeerView), description: 'idempotent-replay: that peer (no secret)' },
      },
    },
  ],
};

@ApiTags('peers')
@Controller('v1')
export class EnrollmentController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @Post('networks/:network/peers')
  @Allow('admin', 'requester', 'enrollment-key')
  @ApiOp({
    summary: 'Enroll one device',
    operationId: 'Peers_enroll',
    description:
      'Leases addresses, makes keys and returns the config once (delivery "inline") or a one-time claim link (delivery "link"). ' +
      'With Accept: text/plain and inline delivery the body is the .conf file itself.',
    body: EnrollBody,
    ok: { status: 201, schema: EnrollResponse, text: true, headers: PEER_CREATED_HEADERS_DOC },
    problems: [400, 404, 406, 409, 422],
    problemText: {
      409: 'Conflict: pool-exhausted, address-unavailable, public-key-in-use, public-key-is-hub-key, hub-not-registered, or idempotent-replay (a retry whose config was already handed out; `peerId` and `peer` name the peer)',
    },
    problemSchema: { 409: IDEMPOTENT_REPLAY_PROBLEM },
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
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
    headers: {
      'Idempotent-Replayed': {
        description: 'This answer is a replay of the first request with this Idempotency-Key',
        schema: { type: 'string', enum: ['true'] },
        required: true,
      },
    },
    content: { 'application/json': { schema: openApiSchema(EnrollResponse) } },
  })
  enroll(
    @CurrentPrincipal() principal: Principal,
    @VisibleNetwork() network: NetworkRecord,
    @Body(new ZodPipe(EnrollBody)) body: EnrollInput,
    @Headers('accept') accept: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return respondWithConfig(res, accept, body.delivery, () =>
      this.enrollment.enroll(principal, network, body, checkedIdempotencyKey(idempotencyKey)),
    );
  }

  @Post('peers/:id/reissue')
  @Allow('admin', 'requester')
  @ApiOp({
    summary: 'New keys and a new one-time config; the old key leaves the hub',
    operationId: 'Peers_reissue',
    body: ReissueBody,
    ok: { status: 201, schema: EnrollResponse, text: true, headers: PEER_CREATED_HEADERS_DOC },
    problems: [400, 404, 406, 409],
  })
  reissue(
    @CurrentPrincipal() principal: Principal,
    @IdParam('peer') id: string,
    @Body(new ZodPipe(ReissueBody)) body: ReissueInput,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return respondWithConfig(res, accept, body.delivery, () => this.enrollment.reissue(principal, id, body));
  }
}
