import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiOp } from '../common/http/openapi.decorators';
import { NetworksService } from '../networks/networks.service';
import { Allow, CurrentPrincipal } from '../common/http/auth.decorators';
import { isSelfService, type Principal } from '../domain/principal/principal';

export const WhoAmI = z.object({
  kind: z
    .enum(['token', 'enrollment-key', 'user'])
    .describe('user: a person signed in (session cookie or personal token).'),
  role: z.enum(['admin', 'requester', 'agent']).nullable().describe('The API token role; null for enrollment keys.'),
  network: z
    .string()
    .nullable()
    .describe('The network the credential is bound to (always set for enrollment keys and agent tokens).'),
  networks: z
    .array(z.string())
    .describe('Names of the networks this credential may enroll devices into (empty for agent tokens).'),
});

/**
 * Tells the caller what its credential is, so the enrollment page can learn the network an
 * enrollment key belongs to. It answers with names and roles only, never the secret or its hash.
 */
@ApiTags('tokens')
@Controller('v1/whoami')
export class WhoAmIController {
  constructor(private readonly networks: NetworksService) {}

  @Get()
  @Allow('admin', 'requester', 'agent', 'enrollment-key')
  @ApiOp({
    summary: 'What the presented credential is: kind, role and its network(s)',
    description:
      'For pages and scripts that hold a credential and need to know where it may enroll. Never echoes the secret.',
    ok: { status: 200, schema: WhoAmI },
  })
  async whoami(@CurrentPrincipal() principal: Principal): Promise<z.infer<typeof WhoAmI>> {
    const bound = principal.networkId === null ? null : await this.networks.findById(principal.networkId);
    const role = principal.kind === 'enrollment-key' ? null : principal.role;
    let networks: string[];
    if (role === 'agent') {
      networks = [];
    } else if (bound !== null) {
      networks = [bound.name];
    } else {
      networks = (await this.networks.list())
        .filter((n) => !isSelfService(principal) || n.selfService)
        .map((n) => n.name)
        .sort();
    }
    return { kind: principal.kind, role, network: bound?.name ?? null, networks };
  }
}
