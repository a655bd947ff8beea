import { z } from 'zod';

export const UserView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  groups: z.array(z.string()).describe("The provider's groups at the last sign-in."),
  admin: z.boolean().describe('In OIDC_ADMIN_GROUPS.'),
  lastSignInAt: z.string().nullable(),
  disabledAt: z.string().nullable(),
  devices: z.number().describe('Live (pending or active) devices.'),
});
export type UserView = z.infer<typeof UserView>;
export const UserList = z.object({ items: z.array(UserView) });

export const DisableUserBody = z.strictObject({
  devices: z
    .enum(['off-hub', 'revoke'])
    .describe('off-hub: the devices leave the hub (quarantined) and stay on record; revoke: they are revoked.'),
});
export type DisableUserInput = z.infer<typeof DisableUserBody>;

export const PersonalTokenBody = z.strictObject({
  name: z.string().min(1).max(64).describe('What the token is for, e.g. "laptop script".'),
});
export type PersonalTokenInput = z.infer<typeof PersonalTokenBody>;

export const PersonalToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  token: z.string().describe('The secret, shown in this response only. It acts as you, with requester rights.'),
});
