import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/http/auth.decorators';
import { ApiOp } from '../common/http/openapi.decorators';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { servedJoinScript } from './web-files';

/**
 * `GET /join.sh`: the node-side join script (deploy/join.sh), for
 * `curl -fsS https://…/join.sh | sudo sh -s -- --key wgk_…`. Served as text/plain so that a
 * person can read it in a browser before running it; public, like the pages.
 */
@ApiTags('ops')
@Controller()
export class JoinScriptController {
  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'publicUrl'>) {}

  @Get('join.sh')
  @Public()
  @Header('Cache-Control', 'no-cache')
  @ApiOp({
    summary: 'The node-side join script (POSIX sh)',
    operationId: 'Web_joinScript',
    description:
      'deploy/join.sh of this release, its `JOIN_SERVER_DEFAULT` line set to this service (PUBLIC_URL). On the node: ' +
      '`curl -fsS <service>/join.sh | sudo sh -s -- --key wgk_… --name NAME`. The key pair is made on the node; only ' +
      'the public key is sent. `--help` lists the options and exit codes.',
    auth: false,
    rateLimited: false,
    database: false,
    problems: [503],
    problemText: { 503: 'The script is missing from this install (code: web-assets-missing)' },
  })
  @ApiResponse({
    status: 200,
    description: 'The script (cache it, revalidate: ETag)',
    content: { 'text/plain': { schema: { type: 'string', description: 'a POSIX sh script' } } },
  })
  joinScript(@Res() res: Response): void {
    res.type('text/plain; charset=utf-8').send(servedJoinScript(this.config.publicUrl));
  }
}
