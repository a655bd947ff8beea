import { Injectable } from '@nestjs/common';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import { PrismaService } from '../database/prisma.service';

export interface UserRecord {
  id: string;
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  groups: string[];
  createdAt: Date;
  lastSignInAt: Date | null;
  disabledAt: Date | null;
}

export interface SessionUser {
  user: UserRecord;
  csrfToken: string;
}

export interface LoginAttempt {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/** People, their sessions and the sign-ins under way. */
@Injectable()
export class IdentityRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  async saveLoginAttempt(stateHash: string, attempt: LoginAttempt, expiresAt: Date): Promise<void> {
    // Old attempts nobody finished go with the next one (a bounded table without a sweeper).
    await this.prisma.$transaction([
      this.prisma.loginAttempt.deleteMany({ where: { expiresAt: { lt: new Date() } } }),
      this.prisma.loginAttempt.create({ data: { stateHash, ...attempt, expiresAt } }),
    ]);
  }

  /** Takes the attempt for this state (once: the row is deleted), or null when unknown, used or expired. */
  async takeLoginAttempt(stateHash: string): Promise<LoginAttempt | null> {
    const rows = await this.prisma.$queryRaw<{ nonce: string; code_verifier: string; return_to: string }[]>`
      DELETE FROM login_attempt WHERE state_hash = ${stateHash} RETURNING nonce, code_verifier, return_to,
        expires_at > now() AS live`;
    const row = rows[0] as ((typeof rows)[0] & { live: boolean }) | undefined;
    if (row === undefined || !row.live) {
      return null;
    }
    return { nonce: row.nonce, codeVerifier: row.code_verifier, returnTo: row.return_to };
  }

  findUser(issuer: string, subject: string): Promise<UserRecord | null> {
    return this.prisma.appUser.findUnique({ where: { issuer_subject: { issuer, subject } } });
  }

  findUserById(id: string): Promise<UserRecord | null> {
    return this.prisma.appUser.findUnique({ where: { id } });
  }

  /**
   * Creates or updates the person and opens a session (none for a device login), in one
   * transaction with its audit event.
   */
  async signIn(
    user: { id: string; issuer: string; subject: string; email: string | null; name: string | null; groups: string[] },
    session: { idHash: string; csrfToken: string; expiresAt: Date } | null,
    event: (user: UserRecord, created: boolean) => AuditInput,
  ): Promise<UserRecord> {
    return this.prisma.$transaction(async (tx) => {
      const now = new Date();
      const known = await tx.appUser.findUnique({
        where: { issuer_subject: { issuer: user.issuer, subject: user.subject } },
      });
      const saved =
        known === null
          ? await tx.appUser.create({ data: { ...user, lastSignInAt: now } })
          : await tx.appUser.update({
              where: { id: known.id },
              data: { email: user.email, name: user.name, groups: user.groups, lastSignInAt: now },
            });
      if (session !== null) {
        await tx.userSession.create({ data: { ...session, userId: saved.id } });
      }
      await this.audit.record(event(saved, known === null), tx);
      return saved;
    });
  }

  /**
   * The session's person, if the session is live (within its absolute expiry, used within the
   * idle timeout, its person not disabled); marks it used. One statement, so every replica agrees.
   */
  async useSession(idHash: string, idleMs: number): Promise<SessionUser | null> {
    const idle = `${Math.round(idleMs)} milliseconds`;
    const rows = await this.prisma.$queryRaw<{ user_id: string; csrf_token: string }[]>`
      UPDATE user_session s SET last_seen_at = now()
      FROM app_user u
      WHERE s.id_hash = ${idHash} AND u.id = s.user_id AND u.disabled_at IS NULL
        AND s.expires_at > now() AND s.last_seen_at > now() - ${idle}::interval
      RETURNING s.user_id::text AS user_id, s.csrf_token`;
    if (rows.length === 0) {
      return null;
    }
    const user = await this.findUserById(rows[0].user_id);
    return user === null ? null : { user, csrfToken: rows[0].csrf_token };
  }

  async endSession(idHash: string): Promise<void> {
    await this.prisma.userSession.deleteMany({ where: { idHash } });
  }

  listUsers(): Promise<UserRecord[]> {
    return this.prisma.appUser.findMany({ orderBy: [{ email: 'asc' }, { id: 'asc' }] });
  }

  /** Names of people by id, for showing owners. */
  async namesOf(ids: readonly string[]): Promise<Map<string, { email: string | null; name: string | null }>> {
    const rows = await this.prisma.appUser.findMany({
      where: { id: { in: [...ids] } },
      select: { id: true, email: true, name: true },
    });
    return new Map(rows.map((r) => [r.id, { email: r.email, name: r.name }]));
  }

  /**
   * Disables a person: every session and personal token ends in the same transaction, so no
   * request of theirs is authenticated after it commits.
   */
  async disable(id: string, offHub: boolean, event: AuditInput): Promise<UserRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`UPDATE app_user SET disabled_at = now()
        WHERE id = ${id}::uuid AND disabled_at IS NULL RETURNING id::text`;
      if (rows.length === 0) {
        return null;
      }
      const sessions = await tx.userSession.deleteMany({ where: { userId: id } });
      const tokens = await tx.apiToken.updateMany({
        where: { ownerUserId: id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      // Off the hub: quarantined peers leave the desired state (until an admin reissues them).
      const quarantined = offHub
        ? await tx.$queryRaw<{ id: string }[]>`UPDATE peer SET quarantined = true, updated_at = now()
            WHERE id IN (SELECT id FROM peer WHERE owner_id = ${`user:${id}`} AND status IN ('pending', 'active')
              AND NOT quarantined ORDER BY id FOR UPDATE)
            RETURNING id::text`
        : [];
      await this.audit.record(
        {
          ...event,
          details: {
            ...event.details,
            sessions: sessions.count,
            tokens: tokens.count,
            quarantinedPeers: quarantined.length,
          },
        },
        tx,
      );
      return tx.appUser.findUniqueOrThrow({ where: { id } });
    });
  }

  /** Live devices (pending or active peers) per owner string ("user:<id>"). */
  async liveDevices(): Promise<Map<string, number>> {
    const rows = await this.prisma.$queryRaw<{ owner_id: string; n: number }[]>`SELECT owner_id, count(*)::int AS n
      FROM peer WHERE owner_id LIKE 'user:%' AND status IN ('pending', 'active') GROUP BY owner_id`;
    return new Map(rows.map((r) => [r.owner_id, r.n]));
  }

  /** The ids of a person's live devices. */
  async liveDeviceIds(userId: string): Promise<string[]> {
    const rows = await this.prisma.peer.findMany({
      where: { ownerId: `user:${userId}`, status: { in: ['pending', 'active'] } },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return rows.map((r) => r.id);
  }
}
