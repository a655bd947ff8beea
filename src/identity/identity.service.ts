import { Injectable } from '@nestjs/common';
import type { SessionAuthenticator, SessionRequest } from '../common/http/session-auth';
import type { Principal } from '../domain/principal/principal';
import type { UserRecord } from './identity.repository';
import type { SignedInClaims } from './oidc-provider';
import { PeopleService } from './people.service';
import { SessionsService } from './sessions.service';
import { SignInService, type SignedIn } from './sign-in.service';
import type { UserView } from './users.dto';

export { OIDC_PROVIDER, safeReturnTo, type SignedIn } from './sign-in.service';
export { sessionCookieName } from './sessions.service';

/**
 * The identity module's one face to the controllers and to other modules: the sign-in flow
 * (SignInService), sessions and the guard's checks (SessionsService) and people
 * (PeopleService) each live in a file of their own; this class keeps the names callers use.
 */
@Injectable()
export class IdentityService implements SessionAuthenticator {
  constructor(
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
    private readonly people: PeopleService,
  ) {}

  get cookieName(): string {
    return this.sessions.cookieName;
  }

  cookieOptions() {
    return this.sessions.cookieOptions();
  }

  get redirectUri(): string {
    return this.signIn.redirectUri;
  }

  roleOf(user: UserRecord): 'admin' | 'requester' {
    return this.people.roleOf(user);
  }

  startLogin(returnTo: unknown): Promise<string> {
    return this.signIn.startLogin(returnTo);
  }

  finishLogin(query: Record<string, unknown>, rawQuery: string): Promise<SignedIn> {
    return this.signIn.finishLogin(query, rawQuery);
  }

  admit(signedIn: SignedInClaims, via: 'browser' | 'device'): Promise<{ user: UserRecord; sessionId: string | null }> {
    return this.signIn.admit(signedIn, via);
  }

  sessionIdOf(request: SessionRequest): string | null {
    return this.sessions.sessionIdOf(request);
  }

  session(request: SessionRequest): Promise<{ user: UserRecord; csrfToken: string } | null> {
    return this.sessions.session(request);
  }

  authenticate(request: SessionRequest): Promise<Principal | null> {
    return this.sessions.authenticate(request);
  }

  logout(request: SessionRequest): Promise<string> {
    return this.signIn.logout(request);
  }

  listUsers(): Promise<UserView[]> {
    return this.people.listUsers();
  }

  view(user: UserRecord, devices: number): UserView {
    return this.people.view(user, devices);
  }

  disable(actor: Principal, id: string, devices: 'off-hub' | 'revoke'): Promise<UserRecord> {
    return this.people.disable(actor, id, devices);
  }
}
