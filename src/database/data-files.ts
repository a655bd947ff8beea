import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/env';

/**
 * The files the service keeps in DATA_DIR besides the database: the generated secret key
 * (embedded default without SECRET_KEY) and the first admin token. Both 0600.
 */
@Injectable()
export class DataFiles {
  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'dataDir'>) {}

  /** DATA_DIR/secret.key, made once (32 random bytes, base64) and read on every start. */
  secretKey(): Buffer {
    const file = join(this.config.dataDir, 'secret.key');
    if (!existsSync(file)) {
      mkdirSync(this.config.dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }

  /** Writes the first admin token to DATA_DIR/admin-token; returns the file's path. */
  writeAdminToken(secret: string): string {
    const file = join(this.config.dataDir, 'admin-token');
    mkdirSync(this.config.dataDir, { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return file;
  }
}
