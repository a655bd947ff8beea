import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { SecretBox } from '../domain/keys/secret-box';
import type { Principal } from '../domain/principal/principal';
import { DomainError } from '../domain/problems/problems';
import { hashSecret, kindOfSecret, newSecret } from '../domain/tokens/tokens';
import { AuthService } from '../tokens/auth.service';
import { DeviceLoginRepository } from './device-login.repository';
import { IdentityService, OIDC_PROVIDER } from './identity.service';
import { personOf, type ProviderConfiguration } from './oidc-provider';

/** How long the credential a device login hands the node lives: enough to enroll, no more. */
export const DEVICE_LOGIN_TOKEN_TTL_MS = 10 * 60_000;
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const BOX_CONTEXT = 'device-login:device_code';

export interface DeviceLoginStarted {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  interval: number;
  expiresIn: number;
  handle: string;
}

export interface DeviceLoginDone {
  token: string;
  expiresAt: string;
  user: { id: string; email: string | null; name: string | null };
}

/**
 * The handle's own key for the device_code at rest: only the node that holds the handle can
 * have the service poll with it (a copy of the table, even with SECRET_KEY, cannot).
 */
function boxOf(handle: string): SecretBox {
  return new SecretBox(createHash('sha256').update(`wg-enroll device login\n${handle}`).digest());
}

/**
 * Sign-in for a node without a browser (join.sh --login): the OAuth 2.0 device authorization
 * grant (RFC 8628), mediated by the service so that the node needs only curl and the provider's
 * device_code never leaves the server. The protocol — the device authorization request, the
 * device-code token request, the ID token's validation (issuer, audience, expiry, signature) —
 * is openid-client's. The person is let in exactly as at a browser sign-in
 * (IdentityService.admit), and the node gets a personal token of minutes.
 */
@Injectable()
export class DeviceLoginService {
  private readonly logger = new Logger('DeviceLogin');

  constructor(
    private readonly repository: DeviceLoginRepository,
    private readonly identity: IdentityService,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OIDC_PROVIDER) private readonly provider: ProviderConfiguration | null,
  ) {}

  private offering(): ProviderConfiguration {
    if (this.provider === null || this.config.oidc === null) {
      throw new DomainError('sign-in-not-configured', 'Set OIDC_ISSUER to let people sign in; use --key or --token.');
    }
    if (this.provider.serverMetadata().device_authorization_endpoint === undefined) {
      throw new DomainError(
        'device-login-not-offered',
        'The identity provider has no device_authorization_endpoint; use --key or --token.',
      );
    }
    return this.provider;
  }

  async start(): Promise<DeviceLoginStarted> {
    const provider = this.offering();
    let response: oidc.DeviceAuthorizationResponse;
    try {
      response = await oidc.initiateDeviceAuthorization(provider, { scope: this.config.oidc!.scopes });
    } catch (error) {
      this.logger.warn({ msg: 'device login not started', reason: reasonOf(error) });
      throw new DomainError('sign-in-failed', 'The identity provider did not start a device login. Try again.');
    }
    const handle = newSecret('deviceLogin');
    await this.repository.start(
      hashSecret(handle),
      boxOf(handle).seal(response.device_code, BOX_CONTEXT),
      new Date(Date.now() + response.expires_in * 1000),
    );
    return {
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete ?? null,
      interval: response.interval ?? 5,
      expiresIn: response.expires_in,
      handle,
    };
  }

  /**
   * One poll at the provider's token endpoint. Pending and slow-down are answered as problems
   * (the node waits and asks again); a denied, expired or refused login ends the handle.
   */
  async poll(handle: string): Promise<DeviceLoginDone> {
    const provider = this.offering();
    const handleHash = hashSecret(handle);
    const row = kindOfSecret(handle) === 'deviceLogin' ? await this.repository.find(handleHash) : null;
    if (row === null) {
      throw new DomainError('device-login-invalid', 'Start again: join.sh --login.');
    }
    if (row.expiresAt <= new Date()) {
      await this.repository.end(handleHash);
      throw new DomainError('device-login-expired', 'Nobody signed in in time. Start again: join.sh --login.');
    }
    let tokens;
    try {
      const deviceCode = boxOf(handle).open(row.deviceCode, BOX_CONTEXT);
      tokens = await oidc.genericGrantRequest(provider, DEVICE_CODE_GRANT, { device_code: deviceCode });
    } catch (error) {
      throw await this.ended(handleHash, error);
    }
    if (!(await this.repository.end(handleHash))) {
      throw new DomainError('device-login-invalid', 'Start again: join.sh --login.');
    }
    let person;
    try {
      person = await personOf(provider, tokens);
    } catch (error) {
      this.logger.warn({ msg: 'device login refused', reason: reasonOf(error) });
      throw new DomainError('sign-in-failed', 'The identity provider did not confirm this sign-in. Try again.');
    }
    const { user } = await this.identity.admit(person, 'device');
    const asUser: Principal = { kind: 'user', id: user.id, role: 'requester', networkId: null, via: 'token' };
    const expiresAt = new Date(Date.now() + DEVICE_LOGIN_TOKEN_TTL_MS);
    const { secret } = await this.auth.createToken(asUser, {
      name: 'join --login',
      role: 'requester',
      networkId: null,
      expiresAt,
      ownerUserId: user.id,
    });
    return {
      token: secret,
      expiresAt: expiresAt.toISOString(),
      user: { id: user.id, email: user.email, name: user.name },
    };
  }

  /** The provider's answer to a poll that did not sign anyone in, as our problem. */
  private async ended(handleHash: string, error: unknown): Promise<DomainError> {
    const code = error instanceof oidc.ResponseBodyError ? error.error : null;
    if (code === 'authorization_pending') {
      return new DomainError('authorization-pending', 'Ask again after the interval.');
    }
    if (code === 'slow_down') {
      return new DomainError('slow-down', 'Wait five seconds more between polls.');
    }
    await this.repository.end(handleHash);
    if (code === 'access_denied') {
      return new DomainError('device-login-denied', 'The person said no at the identity provider.');
    }
    if (code === 'expired_token') {
      return new DomainError('device-login-expired', 'Nobody signed in in time. Start again: join.sh --login.');
    }
    this.logger.warn({ msg: 'device login refused', reason: reasonOf(error) });
    return new DomainError('sign-in-failed', 'The identity provider did not confirm this sign-in. Try again.');
  }
}

/** Names the check that failed, never a code or a token. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'rejected';
}
