import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
/** Written by the suite, read by the log scan: log lines and the secrets the suite was issued. */
export const ARTIFACTS = resolve(ROOT, '.test-artifacts');
export const LOG_DIR = resolve(ARTIFACTS, 'logs');
export const SECRETS_DIR = resolve(ARTIFACTS, 'secrets');
