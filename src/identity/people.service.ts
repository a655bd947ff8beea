import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { actorOf, type Principal } from '../domain/principal/principal';
import { DomainError, Problems } from '../domain/problems/problems';
import { PeersService } from '../peers/peers.service';
import { IdentityRepository, type UserRecord } from './identity.repository';
import { oidcSettings, roleOf } from './roles';
import type { UserView } from './users.dto';

/** The people who signed in, as admins see them, and disabling one. */
@Injectable()
export class PeopleService {
  constructor(
    private readonly repository: IdentityRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly peers: PeersService,
  ) {}

  roleOf(user: UserRecord): 'admin' | 'requester' {
    return roleOf(user, oidcSettings(this.config));
  }

  async listUsers(): Promise<UserView[]> {
    const [users, devices] = await Promise.all([this.repository.listUsers(), this.repository.liveDevices()]);
    return users.map((u) => this.view(u, devices.get(`user:${u.id}`) ?? 0));
  }

  view(user: UserRecord, devices: number): UserView {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      groups: [...user.groups],
      admin: this.roleOf(user) === 'admin',
      lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
      disabledAt: user.disabledAt?.toISOString() ?? null,
      devices,
    };
  }

  /**
   * Disables a person: their sessions and personal tokens end at once (one transaction); their
   * devices either leave the hub (quarantined, kept for the record) or are revoked.
   */
  async disable(actor: Principal, id: string, devices: 'off-hub' | 'revoke'): Promise<UserRecord> {
    const user = await this.repository.disable(id, devices === 'off-hub', {
      actor: actorOf(actor),
      action: 'user.disabled',
      targetType: 'user',
      targetId: id,
      details: { devices },
    });
    if (user === null) {
      throw (await this.repository.findUserById(id)) === null
        ? Problems.notFound('user')
        : new DomainError('conflict', 'This person is disabled already.');
    }
    if (devices === 'revoke') {
      for (const peerId of await this.repository.liveDeviceIds(id)) {
        await this.peers.revoke(actor, peerId).catch((error: unknown) => {
          // Revoked or expired meanwhile: nothing left to do for that one.
          if (!(error instanceof DomainError)) {
            throw error;
          }
        });
      }
    }
    return user;
  }
}
