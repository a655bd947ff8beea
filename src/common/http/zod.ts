import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { hasControlCharacters, hasFormatCharacters, isWellFormedText } from '../../domain/text/text';
import { Problems } from '../../domain/problems/problems';

/**
 * Request validation with zod: one schema gives the runtime check and the OpenAPI schema.
 * Objects are strict (unknown fields are refused).
 */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.output<T> {
    const malformed = notUnicode(value ?? {});
    if (malformed.length > 0) {
      throw Problems.validation(
        malformed.map((field) => ({ field: field || '(body)', message: 'must be valid Unicode (no lone surrogates)' })),
      );
    }
    const result = this.schema.safeParse(value ?? {});
    if (result.success) {
      return result.data;
    }
    throw Problems.validation(
      result.error.issues.flatMap((issue) => {
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }));
        }
        return [{ field: issue.path.join('.') || '(body)', message: issue.message }];
      }),
    );
  }
}

/**
 * Paths of every string (value or field name) in a parsed body or query that is not valid
 * Unicode: JSON's `\ud800` escapes give lone UTF-16 surrogates, which Postgres cannot store
 * and which no person typed. Checked here, once, before any schema, for every field of every
 * body and query, so nothing is written and the answer is a 400, not a 500.
 */
function notUnicode(value: unknown, path: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') {
    return isWellFormedText(value) ? [] : [path.join('.')];
  }
  if (value === null || typeof value !== 'object' || depth > 32) {
    return [];
  }
  return Object.entries(value).flatMap(([key, v]) =>
    isWellFormedText(key) ? notUnicode(v, [...path, key], depth + 1) : [[...path, '(field name)'].join('.')],
  );
}

/** The JSON schema of a zod schema for @ApiBody / @ApiResponse (OpenAPI 3.0 dialect). */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return nullableEnums(json) as Record<string, unknown>;
}

/**
 * OpenAPI 3.0.3 (§4.7.25.1, `nullable`): an `enum` lists every allowed value, so a nullable
 * enum must list null too, or JSON Schema validators (ajv) refuse the null that openapi-typescript
 * and the server allow. Added wherever zod writes `nullable: true` next to an `enum`.
 */
function nullableEnums(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(nullableEnums);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, nullableEnums(value)]));
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) {
    out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

/**
 * A string whose spelling the service checks against `pattern` itself (with a problem code of its
 * own: invalid-public-key, the network spec's field errors, …): the schema publishes the same
 * regex (its source), so clients can check before sending, and refuses nothing on its own.
 */
export function checkedSpelling(pattern: RegExp): z.ZodString {
  return z.string().meta({ pattern: pattern.source });
}

/** An ISO 8601 date-time with offset that lies in the future. */
export const FutureDateTime = z.iso
  .datetime({ offset: true })
  .refine((v) => new Date(v).getTime() > Date.now(), 'must be in the future')
  .describe('ISO 8601 date-time with offset, in the future');

/** A name for people: trimmed, 1 to 64 characters, no control characters. */
export const Label = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((v) => !hasControlCharacters(v), 'control characters are not allowed')
  .refine((v) => !hasFormatCharacters(v), 'invisible characters (bidi overrides, zero-width) are not allowed');

/** An optional expiry (omitted: none). */
export const Expiry = FutureDateTime.optional().describe('ISO 8601 date-time with offset; omit for no expiry');
