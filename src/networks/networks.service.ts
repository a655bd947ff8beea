import { Injectable } from '@nestjs/common';
import { actorOf, isAdmin, type Principal } from '../domain/principal/principal';
import { DomainError, Problems } from '../domain/problems/problems';
import { uuidv7 } from '../domain/ids/uuid';
import { firstLeasableHost, lastLeasableHost, parseIpv4Cidr, poolSize } from '../domain/ipam/cidr';
import { assertValidPublicKey, canonicalPublicKey, InvalidKeyError } from '../domain/keys/x25519';
import {
  HUB_SETTING_FIELDS,
  SETTING_FIELDS,
  settingChanges,
  settingsOf,
  type NetworkSettings,
  type SettingField,
} from '../domain/network/network-settings';
import {
  AggregateNetworkSpecError,
  hubAddresses,
  normalizeNetworkSpec,
  type NetworkSpecInput,
} from '../domain/network/network-spec';
import { RevisionTicker } from '../database/revision-ticker';
import { IpamRepository } from '../ipam/ipam.repository';
import type { NetworkView, PutHubInput, UpdateNetworkInput } from './networks.dto';
import { NetworksRepository, type NetworkRecord, type SelfServiceSettings } from './networks.repository';

/** Validates a public key that comes in and gives its canonical spelling (the one stored and compared). */
export function checkPublicKey(field: string, key: string): string {
  try {
    assertValidPublicKey(key);
    return canonicalPublicKey(key);
  } catch (error) {
    if (error instanceof InvalidKeyError) {
      throw new DomainError('invalid-public-key', error.message, {
        errors: [{ field, message: error.message }],
      });
    }
    throw error;
  }
}

@Injectable()
export class NetworksService {
  constructor(
    private readonly repository: NetworksRepository,
    private readonly ipam: IpamRepository,
    private readonly ticker: RevisionTicker,
  ) {}

  async create(
    principal: Principal | null,
    body: NetworkSpecInput & { hubPublicKey?: string } & SelfServiceSettings,
  ): Promise<NetworkRecord> {
    const spec = checkedSpec(body);
    const hubPublicKey = body.hubPublicKey === undefined ? null : checkPublicKey('hubPublicKey', body.hubPublicKey);
    const v4 = parseIpv4Cidr(spec.ipv4Cidr);
    return this.repository.create(
      uuidv7(),
      spec,
      hubPublicKey,
      { first: firstLeasableHost(), last: lastLeasableHost(v4) },
      { actor: actorOf(principal), action: 'network.created', targetType: 'network', details: { name: spec.name } },
      { selfService: body.selfService, devicesPerUser: body.devicesPerUser },
    );
  }

  /** The network by name, checked against what the principal may see. */
  async resolve(principal: Principal, name: string): Promise<NetworkRecord> {
    const network = await this.repository.findByName(name);
    if (
      network === null ||
      (!isAdmin(principal) && principal.networkId !== null && principal.networkId !== network.id)
    ) {
      throw Problems.notFound('network');
    }
    return network;
  }

  findByName(name: string): Promise<NetworkRecord | null> {
    return this.repository.findByName(name);
  }

  findById(id: string): Promise<NetworkRecord | null> {
    return this.repository.findById(id);
  }

  /** A network that must exist (a peer's or token's own). */
  async require(id: string): Promise<NetworkRecord> {
    const network = await this.repository.findById(id);
    if (network === null) {
      throw new Error(`network ${id} vanished`);
    }
    return network;
  }

  list(): Promise<NetworkRecord[]> {
    return this.repository.list();
  }

  async putHub(principal: Principal, name: string, body: PutHubInput): Promise<NetworkRecord> {
    const network = await this.resolve(principal, name);
    const publicKey = checkPublicKey('publicKey', body.publicKey);
    if (body.replaceKey && !isAdmin(principal)) {
      throw Problems.forbidden('Only an admin may replace a registered hub key.');
    }
    if (network.hubPublicKey !== null && canonicalPublicKey(network.hubPublicKey) !== publicKey && !body.replaceKey) {
      throw new DomainError(
        'hub-key-change-refused',
        'Replacing the hub key cuts every node off. An admin can allow it with replaceKey: true.',
      );
    }
    // A hub key that a live peer of the network holds is refused in the repository (hub-key-in-use).
    return this.repository.setHub(network.id, publicKey, body.listenPort ?? network.listenPort, {
      actor: actorOf(principal),
      action: 'network.hub-registered',
      targetType: 'network',
      details: { publicKey, listenPort: body.listenPort ?? network.listenPort },
    });
  }

  /** The embedded default registers its own hub key at boot. */
  registerLocalHub(network: NetworkRecord, publicKey: string): Promise<NetworkRecord> {
    return this.repository.setHub(network.id, publicKey, network.listenPort, {
      actor: 'system',
      action: 'network.hub-registered',
      targetType: 'network',
      details: { publicKey, source: 'local hub key' },
    });
  }

  poolUsage(networkId: string) {
    return this.ipam.usage(networkId);
  }

  async update(principal: Principal, name: string, body: UpdateNetworkInput): Promise<NetworkRecord> {
    const network = await this.resolve(principal, name);
    const { settings, rest } = splitSettings(body);
    return this.repository.update(
      network.id,
      rest,
      {
        actor: actorOf(principal),
        action: 'network.updated',
        targetType: 'network',
        details: { ...rest },
      },
      settings === null
        ? undefined
        : (current) => {
            // Checked as on create, against the row as it stands under the transaction's lock.
            const after = settingsOf(checkedSpec({ ...current, ...settings }));
            const changes = settingChanges(settingsOf(current), after);
            return {
              settings: after,
              changes,
              desiredStateChanged: changes.some((c) => HUB_SETTING_FIELDS.includes(c.field)),
            };
          },
    );
  }

  /**
   * `withPool` (one network read): with its pool use, and its revision after a stamp, as the
   * hub's reads do, so a change committed before the request shows in it (see RevisionTicker;
   * a listing shows the last stamped revision, at most a second behind).
   */
  async view(network: NetworkRecord, withPool = false): Promise<NetworkView> {
    const pool = withPool ? await this.ipam.usage(network.id) : undefined;
    const revision = (withPool ? await this.ticker.stamp(network.id) : null) ?? network.revision;
    return {
      id: network.id,
      name: network.name,
      ipv4Cidr: network.ipv4Cidr,
      ipv6Cidr: network.ipv6Cidr,
      hubAddresses: hubAddresses(network),
      endpoint: network.endpoint,
      listenPort: network.listenPort,
      persistentKeepalive: network.persistentKeepalive,
      dns: [...network.dns],
      mtu: network.mtu,
      allowedIps: [...network.allowedIps],
      hubPublicKey: network.hubPublicKey,
      quarantineDuplicates: network.quarantineDuplicates,
      settingsRevision: network.settingsRevision.toString(),
      selfService: network.selfService,
      devicesPerUser: network.devicesPerUser,
      revision: revision.toString(),
      ...(pool ? { pool: { size: poolSize(network.ipv4Cidr), ...pool } } : {}),
      createdAt: network.createdAt.toISOString(),
    };
  }
}

/** A network spec checked and normalised, or the validation problem naming every bad field. */
function checkedSpec(input: NetworkSpecInput) {
  try {
    return normalizeNetworkSpec(input);
  } catch (error) {
    if (error instanceof AggregateNetworkSpecError) {
      throw Problems.validation(error.errors.map((e) => ({ field: e.field, message: e.message })));
    }
    throw error;
  }
}

/** The settings fields of a PATCH body (null: none given) and the rest of it. */
function splitSettings(body: UpdateNetworkInput): {
  settings: Partial<NetworkSettings> | null;
  rest: Omit<UpdateNetworkInput, SettingField>;
} {
  const settings: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined) {
      ((SETTING_FIELDS as readonly string[]).includes(key) ? settings : rest)[key] = value;
    }
  }
  return {
    settings: Object.keys(settings).length > 0 ? (settings as Partial<NetworkSettings>) : null,
    rest: rest as Omit<UpdateNetworkInput, SettingField>,
  };
}
