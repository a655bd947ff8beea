import { Controller, Get, Header, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/http/auth.decorators';
import { DomainError } from '../domain/problems/problems';
import { PROBLEM_CATALOGUE } from '../domain/problems/catalogue';
import { IdentityService } from './identity.service';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small page for a refused sign-in: a browser lands here, so it is HTML, with the problem's code. */
function refusalPage(error: DomainError): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused · wg-enroll</title>
<link rel="stylesheet" href="/assets/app.css"></head><body><main id="app">
<h1>${escapeHtml(error.title)}</h1><p id="sign-in-problem" data-code="${error.code}">${escapeHtml(error.message)}</p>
<p><a href="/auth/login">Sign in again</a> · <a href="/">Enroll a device</a></p></main></body></html>`;
}

/**
 * OpenID Connect sign-in for people (authorization code flow with PKCE, state and nonce). The
 * callback leaves nothing of the code or state in the address bar: it answers with a redirect
 * to a plain local path.
 */
@ApiExcludeController()
@Controller('auth')
export class AuthController {
  constructor(private readonly identity: IdentityService) {}

  @Get('login')
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async login(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.redirect(303, await this.identity.startLogin(req.query.return_to));
  }

  @Get('callback')
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    try {
      const signedIn = await this.identity.finishLogin(req.query as Record<string, unknown>, rawQuery);
      res.cookie(this.identity.cookieName, signedIn.sessionId, this.identity.cookieOptions());
      res.redirect(303, signedIn.returnTo);
    } catch (error) {
      if (!(error instanceof DomainError)) {
        throw error;
      }
      res.status(PROBLEM_CATALOGUE[error.code].status).type('html').send(refusalPage(error));
    }
  }

  /**
   * Who is signed in and the CSRF token for state changes (same-origin scripts only can read it).
   * Always 200, so a page that asks shows no failed request: `user` is null when nobody is.
   */
  @Get('session')
  @Public()
  @Header('Cache-Control', 'no-store')
  async session(@Req() req: Request): Promise<object> {
    const found = await this.identity.session(req).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'session-expired') {
        return null;
      }
      throw error;
    });
    if (found === null) {
      return { signIn: true, user: null };
    }
    const { user } = found;
    return {
      signIn: true,
      user: { id: user.id, email: user.email, name: user.name, admin: this.identity.roleOf(user) === 'admin' },
      csrfToken: found.csrfToken,
    };
  }

  /** Ends the session here and sends the browser to the provider's sign-out (when it has one). */
  @Post('logout')
  @Public()
  @Header('Cache-Control', 'no-store')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (this.identity.sessionIdOf(req) !== null) {
      // Signing out is a state change too: only from our own pages.
      await this.identity.authenticate(req).catch((error: unknown) => {
        if (!(error instanceof DomainError) || error.code !== 'session-expired') {
          throw error;
        }
      });
    }
    const next = await this.identity.logout(req);
    res.clearCookie(this.identity.cookieName, { ...this.identity.cookieOptions(), maxAge: undefined });
    res.status(200).json({ redirect: next });
  }
}

/** Without OIDC_ISSUER: the pages ask whether sign-in exists here, and hear that it does not. */
@ApiExcludeController()
@Controller('auth')
export class NoSignInController {
  @Get('session')
  @Public()
  @Header('Cache-Control', 'no-store')
  session(): object {
    return { signIn: false, user: null };
  }
}
