import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { hasControlCharacters } from '../../domain/text/text';
import { Problems } from '../../domain/problems/problems';

/**
 * Request validation with zod: one schema gives the runtime check and the OpenAPI schema.
 * Objects are strict (unknown fields are refused).
 */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.output<T> {
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

/** The JSON schema of a zod schema for @ApiBody / @ApiResponse (OpenAPI 3.0 dialect). */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
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
  .refine((v) => !hasControlCharacters(v), 'control characters are not allowed');

/** An optional expiry (omitted: none). */
export const Expiry = FutureDateTime.optional().describe('ISO 8601 date-time with offset; omit for no expiry');
