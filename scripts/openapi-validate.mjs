// Validates the committed openapi/openapi.json with @apidevtools/swagger-parser: the document
// against the OpenAPI 3.0 schema, every $ref resolved, and its own semantic checks (unique
// operationIds, path parameters declared, ...). Exits 1 on the first error. `npm run openapi:lint`
// runs it after `redocly lint` (a second, independent validator).
import SwaggerParser from '@apidevtools/swagger-parser';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));
try {
  const api = await SwaggerParser.validate(file);
  console.log(`swagger-parser: ${file} is a valid OpenAPI ${api.openapi} document`);
} catch (error) {
  console.error(`swagger-parser: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
