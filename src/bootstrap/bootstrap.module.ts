import { Module } from '@nestjs/common';
import { EmbeddedAgentHost } from '../agent/embedded-agent';
import { NetworksModule } from '../networks/networks.module';
import { SecretsModule } from '../secrets/secrets.module';
import { TokensModule } from '../tokens/tokens.module';
import { BootstrapService } from './bootstrap.service';
import { SettingsRepository } from './settings.repository';

/** First start (secret key check, default network, first admin token) and the embedded hub agent. */
@Module({
  imports: [NetworksModule, SecretsModule, TokensModule],
  providers: [SettingsRepository, BootstrapService, EmbeddedAgentHost],
})
export class BootstrapModule {}
