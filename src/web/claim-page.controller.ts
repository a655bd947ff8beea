import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { PeersService } from '../peers/peers.service';

const CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · wg-enroll</title></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body>
</html>`;
}

/**
 * The page a claim link opens. Its GET only reads, so link previews and mail scanners cannot
 * burn the config; the button POSTs to the API, which serves the file once.
 */
@ApiExcludeController()
@Controller('claim')
export class ClaimPageController {
  constructor(private readonly peers: PeersService) {}

  @Get(':claimToken')
  @Public()
  @Header('Content-Security-Policy', CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Robots-Tag', 'noindex')
  async show(@Param('claimToken') claimToken: string, @Res() res: Response): Promise<void> {
    const state = await this.peers.claimState(claimToken);
    res.type('html');
    if (state === null) {
      res
        .status(404)
        .send(page('Unknown link', '<p>This claim link is not known. Check that you copied all of it.</p>'));
      return;
    }
    const name = escapeHtml(state.name);
    if (state.state === 'ready') {
      const action = `/v1/claims/${encodeURIComponent(claimToken)}`;
      res.send(
        page(
          `WireGuard configuration for ${state.name}`,
          `<p>Network <strong>${escapeHtml(state.network)}</strong>, device <strong>${name}</strong>.</p>
<p>The configuration can be downloaded <strong>once</strong>. Install it on <strong>one machine only</strong>; ask for a new configuration for each further machine.</p>
<form method="post" action="${escapeHtml(action)}"><button type="submit">Download the configuration</button></form>`,
        ),
      );
      return;
    }
    const explanation =
      state.state === 'served'
        ? `<p>The configuration for <strong>${name}</strong> was already downloaded on ${escapeHtml(state.at ?? '')}. It is served only once.</p>
<p>If that was not you, tell the hub administrator: the link may have been intercepted. Ask for a reissue to get a new configuration.</p>`
        : `<p>This link for <strong>${name}</strong> is no longer valid (${escapeHtml(state.state)}). Ask the hub administrator for a reissue.</p>`;
    res.status(410).send(page('Configuration no longer available', explanation));
  }
}
