import { Module } from '@nestjs/common';
import { JoinScriptController } from './join-script.controller';
import { PagesController } from './pages.controller';

@Module({ controllers: [PagesController, JoinScriptController] })
export class WebModule {}
