// Generates src/contract/openapi.d.ts (the TypeScript types of every path, parameter, request and
// response body) from openapi/openapi.json with openapi-typescript, formatted like the rest of
// the code. `--check` writes nothing and exits 1 when the committed file is stale.
// Run by `npm run openapi` / `npm run openapi:check` right after the spec itself is written/checked,
// so a schema change reaches the types of every consumer (server tests, agent, pages, bench).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

const spec = new URL('../openapi/openapi.json', import.meta.url);
const target = fileURLToPath(new URL('../src/contract/openapi.d.ts', import.meta.url));

export async function renderContractTypes() {
  const ast = await openapiTS(spec, { alphabetize: true });
  const header =
    '// Generated from openapi/openapi.json by scripts/contract-types.mjs (npm run openapi). Do not edit.\n';
  return format(header + astToString(ast), { ...(await resolveConfig(target)), filepath: target });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await renderContractTypes();
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error('src/contract/openapi.d.ts is stale: run `npm run openapi`');
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(target, text);
  }
}
