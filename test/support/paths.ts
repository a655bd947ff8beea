import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
/**
 * Written by the suite, read by the log scan: log lines and the secrets the suite was issued.
 * Each run gets its own folder (the global setup names it in WG_ENROLL_TEST_ARTIFACTS, which the
 * workers inherit), so runs side by side cannot disturb each other's scan.
 */
export const ARTIFACTS_ROOT = resolve(ROOT, '.test-artifacts');
export const ARTIFACTS = process.env.WG_ENROLL_TEST_ARTIFACTS ?? resolve(ARTIFACTS_ROOT, 'default');
export const LOG_DIR = resolve(ARTIFACTS, 'logs');
export const SECRETS_DIR = resolve(ARTIFACTS, 'secrets');
