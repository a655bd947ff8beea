import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOpenApi, createApp } from '../app.factory';
import { loadConfig } from '../config/env';

export const OPENAPI_FILE = resolve(__dirname, '..', '..', 'openapi', 'openapi.json');

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** The spec as committed: generated from the code, keys sorted, so it is deterministic. */
export async function renderOpenApi(): Promise<string> {
  // No database is contacted: providers do no I/O until the app is initialised.
  const config = loadConfig({ DATA_DIR: '/nonexistent', LOG_LEVEL: 'silent' });
  const app = await createApp(config, 'postgresql://openapi@127.0.0.1:1/none', false);
  const text = `${JSON.stringify(sortKeys(buildOpenApi(app)), null, 2)}\n`;
  await app.close();
  return text;
}

/** Writes openapi/openapi.json, or with check=true says whether the committed file is stale. */
export async function syncOpenApi(check: boolean): Promise<boolean> {
  const text = await renderOpenApi();
  let current = '';
  try {
    current = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (check) {
    return current === text;
  }
  if (current !== text) {
    writeFileSync(OPENAPI_FILE, text);
  }
  return true;
}
