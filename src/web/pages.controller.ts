import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/http/auth.decorators';
import { PAGE_CSP, pageHtml } from './web-files';

/**
 * The pages for people: enrollment (`/`), "my devices" (`/devices`, for people signed in through
 * OpenID Connect), the admin status page (`/status`) and the admins' people page (`/users`). They are static HTML plus bundled
 * scripts (web/); everything they do goes through the public API, with the credential the person
 * types in or the session cookie of a signed-in person (and its CSRF token).
 */
@ApiExcludeController()
@Controller()
export class PagesController {
  @Get()
  @Public()
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  enroll(@Res() res: Response): void {
    res.type('html').send(pageHtml('index.html'));
  }

  @Get('devices')
  @Public()
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  devices(@Res() res: Response): void {
    res.type('html').send(pageHtml('devices.html'));
  }

  @Get('status')
  @Public()
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  status(@Res() res: Response): void {
    res.type('html').send(pageHtml('status.html'));
  }

  @Get('users')
  @Public()
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  users(@Res() res: Response): void {
    res.type('html').send(pageHtml('users.html'));
  }
}
