import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export interface NetworkGaugeRow {
  id: string;
  name: string;
  ipv4_cidr: string;
  revision: string;
  applied_revision: string | null;
  agent_age: number | null;
  flagged: number;
  pending: number;
  active: number;
}

/** What the database-derived gauges read (the pool use comes from IpamRepository). */
@Injectable()
export class MetricsRepository {
  constructor(private readonly prisma: PrismaService) {}

  networks(): Promise<NetworkGaugeRow[]> {
    return this.prisma.$queryRawUnsafe<NetworkGaugeRow[]>(`SELECT n.id::text AS id, n.name, n.ipv4_cidr,
        n.revision::text AS revision, n.applied_revision::text AS applied_revision,
        extract(epoch FROM now() - n.agent_last_seen_at)::float8 AS agent_age,
        p.flagged, p.pending, p.active
      FROM network n
      CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE status = 'active' AND flagged_at IS NOT NULL)::int AS flagged,
                                 count(*) FILTER (WHERE status = 'pending')::int AS pending,
                                 count(*) FILTER (WHERE status = 'active')::int AS active
                          FROM peer WHERE network_id = n.id AND status IN ('pending', 'active')) p`);
  }
}
