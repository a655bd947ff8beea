import { Controller, Get, Header, Res } from '@nestjs/common';
import { CanonicalParam } from '../common/http/canonical-param';
import { CLAIM_TOKEN_PATTERN } from '../domain/tokens/tokens';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/http/auth.decorators';
import { type ClaimPageState, ClaimsService } from './claims.service';
import { PAGE_CSP } from '../web/web-files';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "26 November 2026, 08:31 UTC": the server renders UTC; the ISO form is in <time datetime>. */
export function humanUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const text = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(date);
  return `${text} UTC`;
}

// The page loads only this origin's stylesheet and script (PAGE_CSP: no inline script or
// style); the script gets what it needs from data- attributes. Referrer-Policy no-referrer (a
// header and a meta tag) keeps the link, which is the credential, out of any Referer.
function page(title: string, body: string, script = false): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · wg-enroll</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css">${
    script ? '\n<script type="module" src="/assets/claim.js"></script>' : ''
  }</head>
<body><main id="app"><h1>${escapeHtml(title)}</h1>${body}</main></body>
</html>`;
}

/** The claim page for a link's state (null: an unknown link). */
function claimPage(state: ClaimPageState | null, claimToken: string): { status: number; html: string } {
  if (state === null) {
    return {
      status: 404,
      html: page('Unknown link', '<p>This claim link is not known. Check that you copied all of it.</p>'),
    };
  }
  const name = escapeHtml(state.name);
  if (state.state === 'ready') {
    const action = `/v1/claims/${encodeURIComponent(claimToken)}`;
    return {
      status: 200,
      html: page(
        `WireGuard configuration for ${state.name}`,
        `<div id="claim-intro">
<p>Network <strong>${escapeHtml(state.network)}</strong>, device <strong>${name}</strong>.</p>
<p>The configuration can be downloaded <strong>once</strong>. Install it on <strong>one machine only</strong>; ask for a new configuration for each further machine.</p>
<form method="post" action="${escapeHtml(action)}" id="claim-form" data-claim-action="${escapeHtml(action)}"><button type="submit" id="claim-submit">Show and download the configuration</button></form>
<p id="claim-error" class="error" role="alert" tabindex="-1" hidden></p>
</div>
<div id="result" hidden></div>`,
        true,
      ),
    };
  }
  const explanation =
    state.state === 'served'
      ? `<p>The configuration for <strong>${name}</strong> was already downloaded on <time id="served-at" datetime="${escapeHtml(state.at ?? '')}">${escapeHtml(humanUtc(state.at ?? ''))}</time>. It is served only once.</p>
<p>If that was not you, tell the hub administrator: the link may have been intercepted. Ask for a reissue to get a new configuration.</p>`
      : `<p>This link for <strong>${name}</strong> is no longer valid: ${
          state.state === 'revoked' ? 'the device was revoked' : 'it has expired'
        }${state.at ? ` (${escapeHtml(humanUtc(state.at))})` : ''}. Ask the hub administrator for a reissue.</p>`;
  return { status: 410, html: page('Configuration no longer available', explanation) };
}

/**
 * The page a claim link opens. Its GET only reads, so link previews and mail scanners cannot
 * burn the config; the button POSTs to the API, which serves the file once.
 */
@ApiExcludeController()
@Controller('claim')
export class ClaimPageController {
  constructor(private readonly claims: ClaimsService) {}

  @Get(':claimToken')
  @Public()
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Robots-Tag', 'noindex')
  async show(
    @CanonicalParam({ name: 'claimToken', pattern: CLAIM_TOKEN_PATTERN }) claimToken: string | null,
    @Res() res: Response,
  ): Promise<void> {
    // A token that is not canonical has no state (an unknown link), so the empty string is never rendered.
    const page = claimPage(await this.claims.pageState(claimToken), claimToken ?? '');
    res.type('html').status(page.status).send(page.html);
  }
}
