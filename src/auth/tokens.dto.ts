import { z } from 'zod';
import { FutureDateTime } from '../common/http/zod';
import { hasControlCharacters } from '../domain/text/text';

export const Label = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((v) => !hasControlCharacters(v), 'control characters are not allowed');

const Expiry = FutureDateTime.optional().describe('ISO 8601 date-time with offset; omit for no expiry');

export const CreateTokenBody = z.strictObject({
  name: Label,
  role: z.enum(['admin', 'requester', 'agent']),
  network: z
    .string()
    .max(64)
    .optional()
    .describe('Network name; required for agent tokens, optional scope for requesters'),
  expiresAt: Expiry,
});
export type CreateTokenInput = z.infer<typeof CreateTokenBody>;

export const TokenView = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'requester', 'agent']),
  network: z.string().nullable(),
  prefix: z.string().describe('The first characters of the secret, to recognise it'),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export const CreatedToken = TokenView.extend({
  token: z.string().describe('The secret. Shown in this response only.'),
});
export const TokenList = z.object({ items: z.array(TokenView) });

export const CreateEnrollmentKeyBody = z.strictObject({
  name: Label.default('enrollment key'),
  maxUses: z.number().int().min(1).max(1_000_000).default(1).describe('One use = one peer'),
  expiresAt: Expiry,
});
export type CreateEnrollmentKeyInput = z.infer<typeof CreateEnrollmentKeyBody>;

export const EnrollmentKeyView = z.object({
  id: z.string(),
  network: z.string(),
  name: z.string(),
  prefix: z.string(),
  maxUses: z.number(),
  uses: z.number(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const CreatedEnrollmentKey = EnrollmentKeyView.extend({
  key: z.string().describe('The secret. Shown in this response only.'),
});
export const EnrollmentKeyList = z.object({ items: z.array(EnrollmentKeyView) });
