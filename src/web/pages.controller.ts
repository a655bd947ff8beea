import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/http/auth.decorators';
import { PAGE_CSP, pageHtml } from './web-files';

/**
 * The pages for people: enrollment (`/`) and the admin status page (`/status`). They are static
 * HTML plus bundled scripts (web/); everything they do goes through the public API with the
 * credential the person types in, so the pages hold no server-side session.
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

  @Get('status')
  @Public()
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  status(@Res() res: Response): void {
    res.type('html').send(pageHtml('status.html'));
  }
}
