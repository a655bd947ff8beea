import { z } from 'zod';

export const AuditQuery = z.strictObject({
  network: z.string().max(64).optional(),
  action: z.string().max(64).optional().describe('e.g. peer.enrolled, peer.claim-refused'),
  target: z.string().max(64).optional().describe('Target id (peer, token, key or network id)'),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'not a cursor this API handed out')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQueryInput = z.infer<typeof AuditQuery>;

const AuditEventView = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  networkId: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const AuditList = z.object({ items: z.array(AuditEventView), nextCursor: z.string().nullable() });
