import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { join } from 'node:path';
import { AuthService } from '../tokens/auth.service';
import { DomainError } from '../domain/problems/problems';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { DataFiles } from '../database/data-files';
import { ensureHubKey } from '../agent/hub-files';
import { NetworksService } from '../networks/networks.service';
import { SecretsService } from '../secrets/secrets.service';
import { envDrift } from './env-drift';
import { SettingsRepository } from './settings.repository';

/**
 * First start: check SECRET_KEY against the database, create the default network from the
 * environment, the local hub key (embedded default) and the first admin token.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsRepository,
    private readonly secrets: SecretsService,
    private readonly networks: NetworksService,
    private readonly auth: AuthService,
    private readonly files: DataFiles,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.checkSecretKey();
    await this.ensureDefaultNetwork();
    await this.ensureAdminToken();
  }

  private async checkSecretKey(): Promise<void> {
    const stored = await this.settings.putIfAbsent('secret_key_check', this.secrets.keyCheck);
    if (stored !== this.secrets.keyCheck) {
      throw new Error(
        'SECRET_KEY does not match the key this database was set up with: stored preshared keys could not be read. ' +
          'Start with the original SECRET_KEY (or DATA_DIR/secret.key).',
      );
    }
  }

  private async ensureDefaultNetwork(): Promise<void> {
    const spec = this.config.defaultNetwork;
    let network = await this.networks.findByName(spec.name);
    if (network === null) {
      try {
        network = await this.networks.create(null, spec);
        this.logger.log({
          msg: 'default network created',
          network: spec.name,
          ipv4: spec.ipv4Cidr,
          ipv6: spec.ipv6Cidr,
        });
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'network-exists')) {
          throw error;
        }
        network = (await this.networks.findByName(spec.name))!;
      }
    } else {
      for (const line of envDrift(network, spec, this.config.defaultNetworkVariables, this.config.publicUrl)) {
        this.logger.warn({ msg: line, network: spec.name });
      }
    }
    if (this.config.localHub && network.hubPublicKey === null) {
      // The same key file the embedded agent uses; registered now so enrolling works at once.
      const key = await ensureHubKey(join(this.config.dataDir, 'hub'), this.config.hubInterface);
      await this.networks.registerLocalHub(network, key.publicKey);
      this.logger.log({ msg: 'local hub key registered', network: spec.name, keyFile: key.file });
    }
  }

  private async ensureAdminToken(): Promise<void> {
    if (this.config.adminToken !== undefined) {
      if (await this.auth.ensureAdminSecret(this.config.adminToken)) {
        this.logger.log({ msg: 'ADMIN_TOKEN registered as an admin token' });
      }
      return;
    }
    if (await this.auth.hasAdminToken()) {
      return;
    }
    const { secret } = await this.auth.createToken(null, {
      name: 'first admin',
      role: 'admin',
      networkId: null,
      expiresAt: null,
    });
    const file = this.files.writeAdminToken(secret);
    this.logger.log({ msg: `first admin token written to ${file} (mode 0600)`, file });
  }
}
