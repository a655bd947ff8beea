import { z } from 'zod';
import { Expiry, Label } from '../common/http/zod';

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
