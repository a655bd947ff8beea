import { Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/http/auth.decorators';
import { CanonicalParam } from '../common/http/canonical-param';
import { CLAIM_TOKEN_PATTERN } from '../domain/tokens/tokens';
import { ApiOp } from '../common/http/openapi.decorators';
import { HUB_APPLIED_HEADER, CONFIG_HEADERS_DOC, sendConfigFile } from '../enrollment/config-response';
import { ClaimResponse } from '../peers/peers.dto';
import { ClaimsService } from './claims.service';

@ApiTags('claims')
@Controller('v1/claims')
export class ClaimsController {
  constructor(private readonly claims: ClaimsService) {}

  @Post(':claimToken')
  @ApiParam({
    name: 'claimToken',
    description: 'The claim token from the link, exactly as issued (no other spelling is accepted).',
    schema: { type: 'string', pattern: CLAIM_TOKEN_PATTERN.source },
  })
  @Public()
  @HttpCode(200)
  @ApiOp({
    summary: 'Redeem a claim link: the config, once',
    description:
      'The claim token is the credential. The first request gets the config (text/plain with a file name, or JSON on ' +
      'Accept: application/json); every later or concurrent one gets 410 and is audit-logged.',
    auth: false,
    ok: { status: 200, schema: ClaimResponse, text: true, headers: CONFIG_HEADERS_DOC },
    problems: [404, 410],
  })
  async redeem(
    @CanonicalParam({ name: 'claimToken', pattern: CLAIM_TOKEN_PATTERN }) claimToken: string | null,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const served = await this.claims.redeem(claimToken);
    res.setHeader(HUB_APPLIED_HEADER, String(served.hub.applied));
    if (accept && /application\/json/i.test(accept)) {
      const { peer, hub, ...config } = served;
      return { peer, config, hub };
    }
    sendConfigFile(res, served);
    return undefined;
  }
}
