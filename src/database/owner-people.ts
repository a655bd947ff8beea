import type { PrismaService } from './prisma.service';

export interface OwnerPerson {
  id: string;
  email: string | null;
  name: string | null;
}

const USER_OWNER = /^user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The people behind peer owners of the form "user:<id>" (signed-in people and their personal
 * tokens), keyed by that owner string; other owners (tokens, enrollment keys) have none. One
 * query for a page of peers; shared by the peer listings and the status page's data.
 */
export async function ownerPeople(prisma: PrismaService, owners: readonly string[]): Promise<Map<string, OwnerPerson>> {
  const ids = [...new Set(owners.flatMap((o) => USER_OWNER.exec(o)?.[1] ?? []))];
  if (ids.length === 0) {
    return new Map();
  }
  const rows = await prisma.appUser.findMany({
    where: { id: { in: ids } },
    select: { id: true, email: true, name: true },
  });
  return new Map(rows.map((r) => [`user:${r.id}`, r]));
}
