import { type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import express, { json } from 'express';
import { ExpressAdapter } from '@nestjs/platform-express';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { RevisionNotifier } from './hub/revision-notifier';
import helmet from 'helmet';
import { abuseLimits, isNoStorePath, requestContext, requireJson } from './common/http/request-context';
import { RateLimitStore } from './database/rate-limit.store';
import { headerRef, SHARED_HEADERS } from './common/http/openapi.decorators';
import { MetricsService } from './metrics/metrics.service';
import type { AppConfig } from './config/env';
import { PUBLIC_DIR } from './web/web-files';

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details. `code` is stable and meant for programs.',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', example: 'urn:wg-enroll:problem:pool-exhausted' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', example: 'pool-exhausted' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'For validation-failed: which fields and why.',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

/**
 * The answer to a method a known path does not serve (ProblemFilter, from the router's routes):
 * no operation declares it, since it answers the methods no operation has.
 */
const METHOD_NOT_ALLOWED = {
  description:
    'A known path asked with a method it does not serve (code: method-not-allowed). OPTIONS on a known path is 204 with the same Allow.',
  headers: {
    'Cache-Control': {
      description: 'no-store on paths under /v1 and /claim, as every answer there',
      schema: { type: 'string', enum: ['no-store'] },
    },
    Allow: {
      description: 'The methods the path serves, e.g. "GET, HEAD, OPTIONS"',
      schema: { type: 'string', pattern: '^[A-Z]+(, [A-Z]+)*$' },
      required: true,
    },
  },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** Builds the Nest application (not listening). main.ts, the tests and the OpenAPI sync use it. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  logger: LoggerService | false,
): Promise<NestExpressApplication> {
  // One decision about what a path is: routes match case-sensitively and a trailing slash is a
  // different path, exactly as the middlewares (abuse limits, Cache-Control, the JSON check)
  // read req.path. `/V1/whoami` or `/v1/whoami/` is a 404, never a handler without its limits.
  // Set on the Express instance before Nest adds anything to its router (created lazily).
  const server = express();
  server.set('case sensitive routing', true);
  server.set('strict routing', true);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, databaseUrl),
    new ExpressAdapter(server),
    {
      logger,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.disable('x-powered-by');
  app.set('etag', false);
  // X-Forwarded-For only from the proxies TRUST_PROXY names (default: ignored).
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestContext);
  app.use(app.get(MetricsService).middleware());
  app.use(securityHeaders());
  if (config.corsOrigins.length > 0) {
    app.enableCors(corsOptions(config.corsOrigins));
  }
  const metrics = app.get(MetricsService);
  app.use(abuseLimits(app.get(RateLimitStore), config, (limit) => metrics.limited(limit)));
  app.use(requireJson);
  app.use(json({ limit: config.bodyLimit, type: ['application/json', 'application/*+json'] }));
  // During shutdown every response closes its connection, so keep-alive clients (the agent's
  // long-poll above all) let the server finish instead of holding it open.
  const notifier = app.get(RevisionNotifier);
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    if (notifier.stopping) {
      res.setHeader('Connection', 'close');
    }
    next();
  });
  // The pages' scripts and stylesheet, bundled by `npm run build` (no CDN).
  app.useStaticAssets(join(PUBLIC_DIR, 'assets'), { prefix: '/assets/', index: false, fallthrough: true, maxAge: 0 });
  // The document is built on the first ask for /openapi.json or /docs (the library takes a
  // factory and keeps what it built): a server that is never asked for it does not hold it
  // (about 13 MB of resident memory, measured in scripts/bench/sections/memory.mjs).
  SwaggerModule.setup('docs', app, () => buildOpenApi(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: undefined,
    raw: ['json'],
  });
  return app;
}

/**
 * helmet's headers with a Content-Security-Policy that Swagger UI (/docs: its own script and
 * style files, inline style attributes, data: images) works under. Pages with a stricter policy
 * (the claim page) set their own, which replaces this one. No upgrade-insecure-requests: plain
 * HTTP deployments on a LAN would break; HSTS is sent and browsers honour it only over HTTPS.
 */
function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'none'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** CORS for the listed origins only; bearer tokens, not cookies, so no credentials mode. */
function corsOptions(origins: readonly string[] | '*') {
  return {
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Idempotency-Key', 'If-None-Match', 'X-Request-Id'],
    exposedHeaders: ['ETag', 'Retry-After', 'X-Request-Id', 'Content-Disposition', 'Location', 'Hub-Applied', 'Allow'],
    credentials: false,
    maxAge: 600,
  };
}

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('wg-enroll')
    .setDescription(
      'WireGuard enrollment service: unique address leases, X25519 keys and configs served exactly once. ' +
        'Every error is application/problem+json (RFC 9457) with a stable `code`. A known path asked with a method ' +
        'it does not serve is 405 with `Allow` (components.responses.MethodNotAllowed); an unknown path is 404.',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque (wgt_… or wgk_…)',
      description: 'API token (wgt_…) or enrollment key (wgk_…)',
    })
    .addServer('/', 'This service')
    .build();
  const document = SwaggerModule.createDocument(app, builder, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  // Operations without a bearer requirement are public: say so (`security: []`), so no tool
  // reads them as inheriting a global requirement. One that still answers 401 (/metrics with
  // METRICS_TOKEN set) takes the bearer optionally: `[{}, { bearer: [] }]`.
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as { security?: unknown[]; responses?: object }[]) {
      if (typeof operation === 'object' && operation !== null && 'responses' in operation && !operation.security) {
        operation.security = operation.responses && '401' in operation.responses ? [{}, { bearer: [] }] : [];
      }
    }
  }
  // Every answer under /v1 carries Cache-Control: no-store (requestContext): declared on each.
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isNoStorePath(path)) {
      continue;
    }
    for (const operation of Object.values(item) as { responses?: Record<string, { headers?: object }> }[]) {
      for (const response of Object.values(operation?.responses ?? {})) {
        response.headers = { ...response.headers, 'Cache-Control': headerRef('NoStore') };
      }
    }
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
    responses: { ...document.components?.responses, MethodNotAllowed: METHOD_NOT_ALLOWED },
    headers: { ...document.components?.headers, ...SHARED_HEADERS },
  };
  return document;
}
