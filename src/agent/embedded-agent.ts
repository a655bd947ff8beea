import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { join } from 'node:path';
import { AuthService } from '../tokens/auth.service';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { NetworksService } from '../networks/networks.service';
import { HubAgent } from './agent';
import { RateLimitStore } from '../database/rate-limit.store';
import { credentialSubject } from '../common/http/request-context';

/**
 * The embedded default runs the same agent inside the API process, against DATA_DIR/hub: it
 * writes <interface>.conf there and applies it only where `wg` and the interface exist. It talks
 * to the API over HTTP like any agent, with an agent token that exists only in this process's
 * memory (the previous run's is revoked).
 */
@Injectable()
export class EmbeddedAgentHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('EmbeddedAgent');
  private agent: HubAgent | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly networks: NetworksService,
    private readonly limits: RateLimitStore,
  ) {}

  get hubDir(): string {
    return join(this.config.dataDir, 'hub');
  }

  async start(apiUrl: string): Promise<HubAgent> {
    const network = await this.networks.findByName(this.config.defaultNetwork.name);
    if (network === null) {
      throw new Error('the default network does not exist');
    }
    await this.auth.revokeTokensNamed('embedded hub agent', network.id);
    const { secret } = await this.auth.createToken(null, {
      name: 'embedded hub agent',
      role: 'agent',
      networkId: network.id,
      expiresAt: null,
    });
    this.limits.exemptSubject(credentialSubject(`Bearer ${secret}`)!);
    this.agent = new HubAgent(
      {
        apiUrl,
        token: secret,
        network: network.name,
        iface: this.config.hubInterface,
        configDir: this.hubDir,
        apply: 'auto',
        reportIntervalMs: 10_000,
      },
      this.logger,
    );
    await this.agent.register();
    this.agent.start();
    return this.agent;
  }

  /** Stops the agent before the HTTP server closes, so no request of its own holds the close up. */
  async stop(): Promise<void> {
    await this.agent?.close();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
