import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../common/http/auth.decorators';
import { ZodPipe } from '../common/http/zod';
import { DeviceLoginService } from './device-login.service';

const PollBody = z.strictObject({ handle: z.string().min(1).max(200) });

/**
 * Sign-in for join.sh --login (the device authorization grant through the service): start
 * gives the node the code to show and a handle; the node polls with the handle until the
 * person has signed in on any browser, and then gets a personal token of minutes.
 */
@ApiExcludeController()
@Controller('auth/device')
export class DeviceLoginController {
  constructor(private readonly deviceLogin: DeviceLoginService) {}

  @Post()
  @Public()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  start() {
    return this.deviceLogin.start();
  }

  @Post('token')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  poll(@Body(new ZodPipe(PollBody)) body: z.infer<typeof PollBody>) {
    return this.deviceLogin.poll(body.handle);
  }
}
