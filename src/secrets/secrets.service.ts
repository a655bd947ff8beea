import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { DataFiles } from '../database/data-files';
import { SecretBox } from '../domain/keys/secret-box';

/**
 * The key that encrypts secrets at rest: SECRET_KEY, or for the embedded default a key
 * generated once into DATA_DIR/secret.key (0600).
 */
@Injectable()
export class SecretsService implements OnModuleInit {
  private box: SecretBox | null = null;
  keyCheck = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'secretKey'>,
    private readonly files: DataFiles,
  ) {}

  onModuleInit(): void {
    const key = this.config.secretKey ?? this.files.secretKey();
    this.box = new SecretBox(key);
    this.keyCheck = createHmac('sha256', key).update('wg-enroll secret key check').digest('hex');
  }

  seal(plaintext: string, peerId: string, field: 'psk' | 'private'): Uint8Array<ArrayBuffer> {
    return this.ready().seal(plaintext, `peer:${peerId}:${field}`);
  }

  open(sealed: Uint8Array, peerId: string, field: 'psk' | 'private'): string {
    return this.ready().open(sealed, `peer:${peerId}:${field}`);
  }

  private ready(): SecretBox {
    if (this.box === null) {
      throw new Error('SecretsService used before init');
    }
    return this.box;
  }
}
