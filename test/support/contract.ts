import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

/**
 * Checks a real response against the committed contract (openapi/openapi.json, OpenAPI 3.0):
 * the status is declared for the operation (a 405 by components.responses.MethodNotAllowed),
 * the body's media type is declared and the body satisfies its schema (ajv, OpenAPI's
 * `nullable` understood), every required header is sent and every declared one sent matches
 * its schema, and the headers the service sets on purpose are declared where they are sent.
 * No library does this for supertest answers on OpenAPI 3.0 with a maintained release, so it is
 * this thin layer over ajv (the validation itself is ajv's).
 */
interface Header {
  required?: boolean;
  schema: Record<string, unknown>;
}
interface Response {
  content?: Record<string, { schema: unknown }>;
  headers?: Record<string, Header | { $ref: string }>;
}
interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { responses: Record<string, Response>; headers: Record<string, Header> };
}

export const SPEC = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8')) as Spec;

/** Headers the service sets on purpose: when sent, the contract must declare them there. */
const DECLARED_WHEN_SENT = [
  'etag',
  'retry-after',
  'content-disposition',
  'cache-control',
  'idempotent-replayed',
  'hub-applied',
  'www-authenticate',
  'allow',
];

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);
// The document's own members are not JSON Schema keywords; OpenAPI's `example` is an annotation.
ajv.addVocabulary(['example', 'openapi', 'info', 'servers', 'tags', 'paths', 'components']);
ajv.addSchema(SPEC as object, 'openapi.json');

const pointer = (parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const compiled = new Map<string, ValidateFunction>();
function validator(parts: string[]): ValidateFunction {
  const ref = `openapi.json#/${pointer(parts)}`;
  let validate = compiled.get(ref);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  return validate;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text?: string;
  body?: unknown;
  type?: string;
}

/** Fails the test when the answer to `method template` is not what the contract says. */
export function expectContract(method: string, template: string, res: Answer): void {
  const where = `${method.toUpperCase()} ${template} → ${res.status}`;
  const operation = SPEC.paths[template]?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is in the contract`).toBeDefined();
  let base: string[];
  let response: Response | undefined;
  if (res.status === 405) {
    base = ['components', 'responses', 'MethodNotAllowed'];
    response = SPEC.components.responses.MethodNotAllowed;
  } else {
    base = ['paths', template, method.toLowerCase(), 'responses', String(res.status)];
    response = operation!.responses[String(res.status)];
  }
  expect(response, `${where}: status declared (body ${res.text ?? ''})`).toBeDefined();

  const type = (res.type ?? String(res.headers['content-type'] ?? '').split(';')[0]).trim();
  const text = res.text ?? '';
  if (response!.content === undefined) {
    expect(text, `${where}: no body declared, none sent`).toBe('');
  } else {
    expect(Object.keys(response!.content), `${where}: media type ${type} declared`).toContain(type);
    const body = type.endsWith('json') ? JSON.parse(text) : text;
    const validate = validator([...base, 'content', type, 'schema']);
    expect(validate(body) ? [] : validate.errors, `${where}: body matches its schema`).toEqual([]);
  }

  const declared = Object.fromEntries(
    Object.entries(response!.headers ?? {}).map(([name, h]) => [
      name.toLowerCase(),
      '$ref' in h ? SPEC.components.headers[h.$ref.split('/').at(-1)!] : h,
    ]),
  );
  for (const [name, header] of Object.entries(declared)) {
    const value = res.headers[name];
    if (header.required === true) {
      expect(value, `${where}: required header ${name} sent`).toBeDefined();
    }
    if (typeof value === 'string') {
      const typed = header.schema.type === 'integer' ? Number(value) : value;
      const validate = ajv.compile(header.schema);
      expect(validate(typed) ? [] : validate.errors, `${where}: header ${name}: ${value}`).toEqual([]);
    }
  }
  for (const name of DECLARED_WHEN_SENT) {
    if (res.headers[name] !== undefined) {
      expect(Object.keys(declared), `${where}: header ${name} is sent, so declared`).toContain(name);
    }
  }
}
