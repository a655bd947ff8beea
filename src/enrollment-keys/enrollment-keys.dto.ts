import { z } from 'zod';
import { Expiry, Label } from '../common/http/zod';

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
