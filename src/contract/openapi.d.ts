// Generated from openapi/openapi.json by scripts/contract-types.mjs (npm run openapi). Do not edit.
export interface paths {
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Liveness: the process answers (no database access)
     * @description Not live: 503 problem+json `database-lost` when the embedded Postgres of this process died (the process is exiting).
     */
    get: operations['Health_health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/join.sh': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The node-side join script (POSIX sh)
     * @description deploy/join.sh of this release, its `JOIN_SERVER_DEFAULT` line set to this service (PUBLIC_URL). On the node: `curl -fsS <service>/join.sh | sudo sh -s -- --key wgk_… --name NAME`. The key pair is made on the node; only the public key is sent. `--help` lists the options and exit codes.
     */
    get: operations['Web_joinScript'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Prometheus metrics (text exposition format)
     * @description Open unless METRICS_TOKEN is set; then send Authorization: Bearer <METRICS_TOKEN>. Counters and latency are per process (sum over replicas); pool, hub and peer gauges are read from the database (same on every replica: use max).
     */
    get: operations['Metrics_scrape'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Readiness: database reachable and migrations current
     * @description Not ready: 503 problem+json with code `database-unavailable` or `migrations-pending` and the per-check results in `checks`.
     */
    get: operations['Health_ready'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Audit events, newest first */
    get: operations['Audit_list'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/claims/{claimToken}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Redeem a claim link: the config, once
     * @description The claim token is the credential. The first request gets the config (text/plain with a file name, or JSON on Accept: application/json); every later or concurrent one gets 410 and is audit-logged.
     */
    post: operations['Claims_redeem'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/devices': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The caller's own devices in every network (the "my devices" page) */
    get: operations['Peers_mine'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/token': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke the API token this request presents (a script that is done drops its credential) */
    delete: operations['Users_revokePresentedToken'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/tokens': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A personal API token (requester rights, acting as you); the secret is in this response only */
    post: operations['Users_personalToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List networks */
    get: operations['Networks_list'];
    put?: never;
    /** Create a network */
    post: operations['Networks_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks/{network}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read a network, with its pool use */
    get: operations['Networks_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Change a network's settings
     * @description Endpoint, DNS, MTU, keepalive and AllowedIPs: validated as on create, audited (before and after). Configs served before keep their old values; the status counts those peers (olderSettings) and a reissue serves the new ones. A keepalive change is a change of the desired state too (the hub agent reads it).
     */
    patch: operations['Networks_update'];
    trace?: never;
  };
  '/v1/networks/{network}/enrollment-keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List enrollment keys (never their secrets) */
    get: operations['EnrollmentKeys_list'];
    put?: never;
    /** Create an enrollment key (the secret is in this response only) */
    post: operations['EnrollmentKeys_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks/{network}/enrollment-keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke an enrollment key */
    delete: operations['EnrollmentKeys_revoke'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks/{network}/hub': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Register the hub's public key and listen port
     * @description The hub agent calls this with its agent token. Replacing a registered key needs an admin and replaceKey: true.
     */
    put: operations['Networks_putHub'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks/{network}/hub/desired-state': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The hub's desired state: its interface and every active peer
     * @description ETag is the revision. With If-None-Match equal to it the answer is 304; with ?wait=N as well, the request waits up to N seconds for the next change (woken through Postgres LISTEN/NOTIFY, whichever API process made the change).
     */
    get: operations['Hub_desiredState'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks/{network}/hub/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The agent reports what it applied and what the interface sees */
    post: operations['Hub_status'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks/{network}/peers': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List peers (requesters see their own) */
    get: operations['Peers_list'];
    put?: never;
    /**
     * Enroll one device
     * @description Leases addresses, makes keys and returns the config once (delivery "inline") or a one-time claim link (delivery "link"). With Accept: text/plain and inline delivery the body is the .conf file itself.
     */
    post: operations['Peers_enroll'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/networks/{network}/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Hub health, desired vs. applied revision, pool use and per-peer state */
    get: operations['Hub_networkStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/peers/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read a peer */
    get: operations['Peers_get'];
    put?: never;
    post?: never;
    /** Revoke a peer: it leaves the hub, its address cools down */
    delete: operations['Peers_revoke'];
    options?: never;
    head?: never;
    /** Rename a peer (its served file name stays the one given at enrollment) */
    patch: operations['Peers_rename'];
    trace?: never;
  };
  '/v1/peers/{id}/reissue': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** New keys and a new one-time config; the old key leaves the hub */
    post: operations['Peers_reissue'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tokens': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List API tokens (never their secrets) */
    get: operations['Tokens_list'];
    put?: never;
    /** Create an API token (the secret is in this response only) */
    post: operations['Tokens_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tokens/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke an API token */
    delete: operations['Tokens_revoke'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** People who signed in: name, e-mail, last sign-in, devices */
    get: operations['Users_list'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users/{id}/disable': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Disable a person: signed out everywhere, tokens revoked, devices off the hub or revoked */
    post: operations['Users_disable'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/whoami': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * What the presented credential is: kind, role and its network(s)
     * @description For pages and scripts that hold a credential and need to know where it may enroll. Never echoes the secret.
     */
    get: operations['WhoAmI_whoami'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description RFC 9457 problem details. `code` is stable and meant for programs. */
    Problem: {
      /** @example pool-exhausted */
      code: string;
      detail?: string;
      /** @description For validation-failed: which fields and why. */
      errors?: {
        field?: string;
        message?: string;
      }[];
      status: number;
      title: string;
      /** @example urn:wg-enroll:problem:pool-exhausted */
      type: string;
    };
  };
  responses: {
    /** @description A known path asked with a method it does not serve (code: method-not-allowed). OPTIONS on a known path is 204 with the same Allow. */
    MethodNotAllowed: {
      headers: {
        /** @description The methods the path serves, e.g. "GET, HEAD, OPTIONS" */
        Allow: string;
        /** @description no-store on paths under /v1 and /claim, as every answer there */
        'Cache-Control'?: 'no-store';
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: {
    /** @description Answers here may carry secrets: never stored by a cache */
    NoStore: 'no-store';
    /** @description Seconds until the limit lets requests through again */
    RetryAfterLimited: number;
    /** @description Seconds to wait before retrying (sent with database-unavailable) */
    RetryAfterUnavailable: number;
    /** @description The scheme to authenticate with (RFC 9110) */
    'WWW-Authenticate': 'Bearer';
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  Health_health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'ok';
          };
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Web_joinScript: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The script (cache it, revalidate: ETag) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description The script is missing from this install (code: web-assets-missing) */
      503: {
        headers: {
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Metrics_scrape: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The metrics */
      200: {
        headers: {
          /** @description Never cached */
          'Cache-Control': 'no-store';
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Health_ready: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            database: 'up';
            /** @enum {string} */
            migrations: 'current';
            /** @enum {string} */
            status: 'ready';
          };
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Audit_list: {
    parameters: {
      query?: {
        /** @description e.g. peer.enrolled, peer.claim-refused */
        action?: string;
        cursor?: string;
        limit?: number;
        network?: string;
        /** @description Target id (peer, token, key or network id) */
        target?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              action: string;
              actor: string;
              at: string;
              details: {
                [key: string]: unknown;
              };
              id: string;
              networkId: string | null;
              targetId: string | null;
              targetType: string | null;
            }[];
            nextCursor: string | null;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Claims_redeem: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The claim token from the link, exactly as issued (no other spelling is accepted). */
        claimToken: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          /** @description With the text/plain body: `attachment; filename="<name>.conf"`, the name wg-quick takes */
          'Content-Disposition'?: string;
          /** @description true when the hub agent reported an applied revision that includes the peer before this answer (as `hub.applied`); false otherwise */
          'Hub-Applied': 'true' | 'false';
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            config: {
              /** @description A file name wg-quick accepts (interface name ≤ 15 characters). */
              filename: string;
              /** @description The hub's addresses in the tunnel (also a comment in the text): ping one to check the tunnel. */
              hubAddresses: string[];
              /** @description false when you sent your own publicKey: the PrivateKey line then holds a placeholder that wg-quick, wg and the WireGuard apps refuse, until you replace it with the private key of that public key. */
              privateKeyIncluded: boolean;
              /** @description The wg-quick config. Shown once. */
              text: string;
            };
            /** @description Whether the hub has the peer. Also in the Hub-Applied header (true or false). */
            hub: {
              /** @description True when the hub agent reported an applied revision that includes the peer before this answer (waited for up to HUB_APPLY_WAIT while an agent reports): a tunnel brought up now gets its first handshake. */
              applied: boolean;
              /** @description The desired-state revision that put the peer on the hub, when the answer waited for it; null without a wait (HUB_APPLY_WAIT=0, no agent reporting, a claim link not redeemed). */
              revision: string | null;
            };
            peer: {
              addresses: string[];
              claimExpiresAt: string | null;
              createdAt: string;
              /** @enum {string} */
              delivery: 'inline' | 'link';
              expiresAt: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              name: string;
              network: string;
              owner: string;
              /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
              ownerPerson?: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
              revision: string | null;
              revokedAt: string | null;
              servedAt: string | null;
              /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
              settingsRevision: string | null;
              /** @enum {string} */
              status: 'pending' | 'active' | 'revoked' | 'expired';
            };
          };
          'text/plain': string;
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Gone: served, expired or revoked */
      410: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Peers_mine: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              addresses: string[];
              claimExpiresAt: string | null;
              createdAt: string;
              /** @enum {string} */
              delivery: 'inline' | 'link';
              expiresAt: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              lastHandshakeAt: string | null;
              name: string;
              network: string;
              /** @description A handshake within the online window (3 minutes). */
              online: boolean;
              owner: string;
              /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
              ownerPerson?: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
              revision: string | null;
              revokedAt: string | null;
              servedAt: string | null;
              /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
              settingsRevision: string | null;
              /** @enum {string} */
              status: 'pending' | 'active' | 'revoked' | 'expired';
            }[];
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Users_revokePresentedToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      204: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Users_personalToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description What the token is for, e.g. "laptop script". */
          name: string;
        };
      };
    };
    responses: {
      /** @description Success */
      201: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            name: string;
            prefix: string;
            /** @description The secret, shown in this response only. It acts as you, with requester rights. */
            token: string;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Networks_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              allowedIps: string[];
              createdAt: string;
              devicesPerUser: number;
              dns: string[];
              endpoint: string;
              hubAddresses: string[];
              hubPublicKey: string | null;
              id: string;
              ipv4Cidr: string;
              ipv6Cidr: string | null;
              listenPort: number;
              mtu: number | null;
              name: string;
              persistentKeepalive: number;
              pool?: {
                cooling: number;
                free: number;
                leased: number;
                size: number;
              };
              quarantineDuplicates: boolean;
              /** @description Desired-state revision (a decimal string: it is a 64-bit counter). */
              revision: string;
              selfService: boolean;
              /** @description Bumped by every change of the settings a served config carries (a decimal string). */
              settingsRevision: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Networks_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Handed to nodes; default: the network's own ranges. */
          allowedIps?: string[];
          /** @description How many live devices one person may have here. Default 5. */
          devicesPerUser?: number;
          dns?: string[];
          /** @description host:port the nodes dial, e.g. hub.example.org:51820 */
          endpoint: string;
          /** @description The hub's public key, if known before its agent registers. */
          hubPublicKey?: string;
          /** @description IPv4 range, /16 to /30, e.g. 172.22.2.0/24. Host .1 is the hub. */
          ipv4Cidr: string;
          /** @description Optional IPv6 range, e.g. fd4e:6fb7:b3af::/64. Host ::1 is the hub. */
          ipv6Cidr?: string | null;
          /** @description The hub's UDP port (default: the endpoint's port). */
          listenPort?: number;
          mtu?: number;
          /** @description Slug used in URLs and file names, e.g. "mupif". */
          name: string;
          /** @description Seconds; default 30, 0 turns it off. */
          persistentKeepalive?: number;
          /** @description Let signed-in people (OpenID Connect) enroll their own devices here. Default false. */
          selfService?: boolean;
        };
      };
    };
    responses: {
      /** @description Success */
      201: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            allowedIps: string[];
            createdAt: string;
            devicesPerUser: number;
            dns: string[];
            endpoint: string;
            hubAddresses: string[];
            hubPublicKey: string | null;
            id: string;
            ipv4Cidr: string;
            ipv6Cidr: string | null;
            listenPort: number;
            mtu: number | null;
            name: string;
            persistentKeepalive: number;
            pool?: {
              cooling: number;
              free: number;
              leased: number;
              size: number;
            };
            quarantineDuplicates: boolean;
            /** @description Desired-state revision (a decimal string: it is a 64-bit counter). */
            revision: string;
            selfService: boolean;
            /** @description Bumped by every change of the settings a served config carries (a decimal string). */
            settingsRevision: string;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Networks_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            allowedIps: string[];
            createdAt: string;
            devicesPerUser: number;
            dns: string[];
            endpoint: string;
            hubAddresses: string[];
            hubPublicKey: string | null;
            id: string;
            ipv4Cidr: string;
            ipv6Cidr: string | null;
            listenPort: number;
            mtu: number | null;
            name: string;
            persistentKeepalive: number;
            pool?: {
              cooling: number;
              free: number;
              leased: number;
              size: number;
            };
            quarantineDuplicates: boolean;
            /** @description Desired-state revision (a decimal string: it is a 64-bit counter). */
            revision: string;
            selfService: boolean;
            /** @description Bumped by every change of the settings a served config carries (a decimal string). */
            settingsRevision: string;
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Networks_update: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description [] goes back to the network's own ranges. */
          allowedIps?: string[];
          /** @description How many live devices one person may have here. Default 5. */
          devicesPerUser?: number;
          /** @description [] removes the DNS line. */
          dns?: string[];
          /** @description host:port the nodes dial, e.g. hub.example.org:51820 */
          endpoint?: string;
          /** @description null removes the MTU line. */
          mtu?: number | null;
          /** @description Seconds; default 30, 0 turns it off. */
          persistentKeepalive?: number;
          /** @description Take a peer whose config is seen on two machines off the hub until an admin reissues it. */
          quarantineDuplicates?: boolean;
          /** @description Let signed-in people (OpenID Connect) enroll their own devices here. Default false. */
          selfService?: boolean;
        };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            allowedIps: string[];
            createdAt: string;
            devicesPerUser: number;
            dns: string[];
            endpoint: string;
            hubAddresses: string[];
            hubPublicKey: string | null;
            id: string;
            ipv4Cidr: string;
            ipv6Cidr: string | null;
            listenPort: number;
            mtu: number | null;
            name: string;
            persistentKeepalive: number;
            pool?: {
              cooling: number;
              free: number;
              leased: number;
              size: number;
            };
            quarantineDuplicates: boolean;
            /** @description Desired-state revision (a decimal string: it is a 64-bit counter). */
            revision: string;
            selfService: boolean;
            /** @description Bumped by every change of the settings a served config carries (a decimal string). */
            settingsRevision: string;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  EnrollmentKeys_list: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              createdAt: string;
              expiresAt: string | null;
              id: string;
              maxUses: number;
              name: string;
              network: string;
              prefix: string;
              revokedAt: string | null;
              uses: number;
            }[];
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  EnrollmentKeys_create: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Format: date-time
           * @description ISO 8601 date-time with offset; omit for no expiry
           */
          expiresAt?: string;
          /**
           * @description One use = one peer
           * @default 1
           */
          maxUses?: number;
          /** @default enrollment key */
          name?: string;
        };
      };
    };
    responses: {
      /** @description Success */
      201: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            createdAt: string;
            expiresAt: string | null;
            id: string;
            /** @description The secret. Shown in this response only. */
            key: string;
            maxUses: number;
            name: string;
            network: string;
            prefix: string;
            revokedAt: string | null;
            uses: number;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  EnrollmentKeys_revoke: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      204: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Networks_putHub: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          listenPort?: number;
          /** @description The hub's WireGuard public key (base64). */
          publicKey: string;
          /** @description Admin only: allow replacing an existing, different hub key (cuts every node off until re-enrolled). */
          replaceKey?: boolean;
        };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            allowedIps: string[];
            createdAt: string;
            devicesPerUser: number;
            dns: string[];
            endpoint: string;
            hubAddresses: string[];
            hubPublicKey: string | null;
            id: string;
            ipv4Cidr: string;
            ipv6Cidr: string | null;
            listenPort: number;
            mtu: number | null;
            name: string;
            persistentKeepalive: number;
            pool?: {
              cooling: number;
              free: number;
              leased: number;
              size: number;
            };
            quarantineDuplicates: boolean;
            /** @description Desired-state revision (a decimal string: it is a 64-bit counter). */
            revision: string;
            selfService: boolean;
            /** @description Bumped by every change of the settings a served config carries (a decimal string). */
            settingsRevision: string;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Hub_desiredState: {
    parameters: {
      query?: {
        /** @description Long-poll: with If-None-Match equal to the current revision, wait up to this many seconds for a change. */
        wait?: number;
      };
      header?: {
        /** @description The ETag of the state the agent has ("<revision>") */
        'If-None-Match'?: string;
      };
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The desired state */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          /** @description The revision of the state, quoted ("<revision>"); send it back as If-None-Match */
          ETag: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            interface: {
              addresses: string[];
              listenPort: number;
              /** @description The nodes' keepalive in seconds (0 = off): the agent's window for one config on two machines */
              persistentKeepalive: number;
            };
            network: string;
            peers: {
              allowedIps: string[];
              id: string;
              name: string;
              presharedKey: string;
              publicKey: string;
            }[];
            /** @description Decimal; also the ETag ("<revision>") */
            revision: string;
          };
        };
      };
      /** @description Not Modified: If-None-Match names the current revision (after ?wait, no change came); no body */
      304: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          /** @description The revision of the state, quoted ("<revision>"); send it back as If-None-Match */
          ETag: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Hub_status: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description The revision the agent applied last */
          appliedRevision: string;
          /** @description Why the last apply failed, if it did */
          applyError?: string | null;
          /** @description sha256 of the hub file it applied */
          configSha256: string;
          /** @description Why the hub file was written but not applied to an interface (no wg tools, no interface, apply mode none); null or absent when wg applied it */
          notApplied?: string | null;
          /** @description What `wg show <interface> dump` says, per peer */
          peers: {
            /** @description The agent saw this key alternate between these source hosts (A → B → A, at least 3 switches within max(2 min, 4 × keepalive)), sampling the endpoints every 200 ms (less often on a big interface): the server flags the peer. */
            duplicateSuspected?: {
              sourceHosts: string[];
            };
            endpoint: string | null;
            /** @description Unix seconds; 0 = never */
            latestHandshake: number;
            publicKey: string;
            rxBytes: number;
            txBytes: number;
          }[];
        };
      };
    };
    responses: {
      /** @description Success */
      204: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Peers_list: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
        /** @description Case-insensitive substring of the name. */
        name?: string;
        status?: 'pending' | 'active' | 'revoked' | 'expired';
      };
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              addresses: string[];
              claimExpiresAt: string | null;
              createdAt: string;
              /** @enum {string} */
              delivery: 'inline' | 'link';
              expiresAt: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              name: string;
              network: string;
              owner: string;
              /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
              ownerPerson?: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
              revision: string | null;
              revokedAt: string | null;
              servedAt: string | null;
              /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
              settingsRevision: string | null;
              /** @enum {string} */
              status: 'pending' | 'active' | 'revoked' | 'expired';
            }[];
            nextCursor: string | null;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Peers_enroll: {
    parameters: {
      query?: never;
      header?: {
        /** @description Makes a retry safe: per credential and for 24 h, the same key with the same request makes no second peer or lease. The retry gets 200 with the peer (and `Idempotent-Replayed: true`) while its claim link is not redeemed, without the link (shown once); once the config was handed out (inline delivery, or a redeemed link) it gets 409 `idempotent-replay` with `peerId`. The same key with another request is 422 `idempotency-key-reused`. A failed enrollment leaves no key behind. */
        'Idempotency-Key'?: string;
      };
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Admin only: pin this free IPv4 address of the network. */
          address?: string;
          /**
           * @description inline: config in this response; link: a one-time claim link.
           * @default inline
           * @enum {string}
           */
          delivery?: 'inline' | 'link';
          /**
           * Format: date-time
           * @description The peer leaves the hub at this time.
           */
          expiresAt?: string;
          /** @description Device name, shown to admins and in the hub config comment. */
          name: string;
          /** @description Your own X25519 public key (base64). Omit it and the server makes the key pair. */
          publicKey?: string;
        };
      };
    };
    responses: {
      /** @description Idempotent replay: the peer enrolled by the first request with this key (its claim link is not repeated) */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          /** @description This answer is a replay of the first request with this Idempotency-Key */
          'Idempotent-Replayed': 'true';
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            claim?: {
              expiresAt: string;
              url: string;
            };
            config?: {
              /** @description A file name wg-quick accepts (interface name ≤ 15 characters). */
              filename: string;
              /** @description The hub's addresses in the tunnel (also a comment in the text): ping one to check the tunnel. */
              hubAddresses: string[];
              /** @description false when you sent your own publicKey: the PrivateKey line then holds a placeholder that wg-quick, wg and the WireGuard apps refuse, until you replace it with the private key of that public key. */
              privateKeyIncluded: boolean;
              /** @description The wg-quick config. Shown once. */
              text: string;
            };
            /** @description Whether the hub has the peer. Also in the Hub-Applied header (true or false). */
            hub: {
              /** @description True when the hub agent reported an applied revision that includes the peer before this answer (waited for up to HUB_APPLY_WAIT while an agent reports): a tunnel brought up now gets its first handshake. */
              applied: boolean;
              /** @description The desired-state revision that put the peer on the hub, when the answer waited for it; null without a wait (HUB_APPLY_WAIT=0, no agent reporting, a claim link not redeemed). */
              revision: string | null;
            };
            peer: {
              addresses: string[];
              claimExpiresAt: string | null;
              createdAt: string;
              /** @enum {string} */
              delivery: 'inline' | 'link';
              expiresAt: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              name: string;
              network: string;
              owner: string;
              /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
              ownerPerson?: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
              revision: string | null;
              revokedAt: string | null;
              servedAt: string | null;
              /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
              settingsRevision: string | null;
              /** @enum {string} */
              status: 'pending' | 'active' | 'revoked' | 'expired';
            };
          };
        };
      };
      /** @description Success */
      201: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          /** @description With the text/plain body: `attachment; filename="<name>.conf"`, the name wg-quick takes */
          'Content-Disposition'?: string;
          /** @description true when the hub agent reported an applied revision that includes the peer before this answer (as `hub.applied`); false otherwise */
          'Hub-Applied': 'true' | 'false';
          /** @description The peer: /v1/peers/{id} (also on a text/plain answer, whose body is only the .conf) */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            claim?: {
              expiresAt: string;
              url: string;
            };
            config?: {
              /** @description A file name wg-quick accepts (interface name ≤ 15 characters). */
              filename: string;
              /** @description The hub's addresses in the tunnel (also a comment in the text): ping one to check the tunnel. */
              hubAddresses: string[];
              /** @description false when you sent your own publicKey: the PrivateKey line then holds a placeholder that wg-quick, wg and the WireGuard apps refuse, until you replace it with the private key of that public key. */
              privateKeyIncluded: boolean;
              /** @description The wg-quick config. Shown once. */
              text: string;
            };
            /** @description Whether the hub has the peer. Also in the Hub-Applied header (true or false). */
            hub: {
              /** @description True when the hub agent reported an applied revision that includes the peer before this answer (waited for up to HUB_APPLY_WAIT while an agent reports): a tunnel brought up now gets its first handshake. */
              applied: boolean;
              /** @description The desired-state revision that put the peer on the hub, when the answer waited for it; null without a wait (HUB_APPLY_WAIT=0, no agent reporting, a claim link not redeemed). */
              revision: string | null;
            };
            peer: {
              addresses: string[];
              claimExpiresAt: string | null;
              createdAt: string;
              /** @enum {string} */
              delivery: 'inline' | 'link';
              expiresAt: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              name: string;
              network: string;
              owner: string;
              /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
              ownerPerson?: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
              revision: string | null;
              revokedAt: string | null;
              servedAt: string | null;
              /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
              settingsRevision: string | null;
              /** @enum {string} */
              status: 'pending' | 'active' | 'revoked' | 'expired';
            };
          };
          'text/plain': string;
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not acceptable */
      406: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict: pool-exhausted, address-unavailable, public-key-in-use, public-key-is-hub-key, hub-not-registered, or idempotent-replay (a retry whose config was already handed out; `peerId` and `peer` name the peer) */
      409: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @description idempotent-replay: that peer (no secret) */
            peer?: {
              addresses: string[];
              claimExpiresAt: string | null;
              createdAt: string;
              /** @enum {string} */
              delivery: 'inline' | 'link';
              expiresAt: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              name: string;
              network: string;
              owner: string;
              /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
              ownerPerson?: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
              revision: string | null;
              revokedAt: string | null;
              servedAt: string | null;
              /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
              settingsRevision: string | null;
              /** @enum {string} */
              status: 'pending' | 'active' | 'revoked' | 'expired';
            };
            /** @description idempotent-replay: the peer the first request enrolled */
            peerId?: string;
          };
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Idempotency-Key reused with another request (code: idempotency-key-reused) */
      422: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Hub_networkStatus: {
    parameters: {
      query?: {
        cursor?: string;
        /** @description true: only peers whose expiry is within the next 7 days; false: only the others */
        expiring?: 'true' | 'false';
        flagged?: 'true' | 'false';
        limit?: number;
        /** @description Case-insensitive substring of the name. */
        name?: string;
        online?: 'true' | 'false';
      };
      header?: never;
      path: {
        network: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            hub: {
              agentHealthy: boolean;
              agentLastSeenAt: string | null;
              appliedRevision: string | null;
              /** @description Why it is not applied or failed, as the agent said */
              applyProblem: string | null;
              /**
               * @description applied: the interface has the file; not-applied: the file is written but not applied (see applyProblem); failed: wg refused it and the interface keeps its previous state; null: no report yet
               * @enum {string|null}
               */
              applyState: 'applied' | 'not-applied' | 'failed' | null;
              configSha256: string | null;
              desiredRevision: string;
              /** @description The agent's hub file is at the desired revision (applyState says if wg has it) */
              inSync: boolean;
              listenPort: number;
              publicKey: string | null;
            };
            items: {
              /** @description Has made a first handshake */
              deployed: boolean;
              endpoint: string | null;
              expiresAt: string | null;
              /** @description Its expiry is within the next 7 days */
              expiringSoon: boolean;
              firstHandshakeAt: string | null;
              /** @description Its config seems to run on two machines */
              flagged: boolean;
              flagReason: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              lastHandshakeAt: string | null;
              name: string;
              /** @description Its config was served before the network's settings last changed: reissue it to hand out the new ones */
              olderSettings: boolean;
              /** @description A handshake within the last 3 minutes */
              online: boolean;
              /** @description Who enrolled it: "user:<id>", "token:<id>" or "enrollment-key:<id>". */
              owner: string;
              /** @description The person behind a "user:<id>" owner, by e-mail and name (null for tokens and enrollment keys). */
              ownerPerson: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              quarantined: boolean;
              rxBytes: string;
              /** @description The network's settingsRevision its config was rendered with */
              settingsRevision: string | null;
              txBytes: string;
            }[];
            network: string;
            nextCursor: string | null;
            peers: {
              active: number;
              expiringSoon: number;
              flagged: number;
              /** @description Active peers whose config was served with older settings than the network's (see olderSettings) */
              olderSettings: number;
              online: number;
            };
            pool: {
              cooling: number;
              free: number;
              leased: number;
              size: number;
            };
            /** @description The network's settings revision (PATCH /v1/networks/{network} bumps it) */
            settingsRevision: string;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Peers_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            addresses: string[];
            claimExpiresAt: string | null;
            createdAt: string;
            /** @enum {string} */
            delivery: 'inline' | 'link';
            expiresAt: string | null;
            id: string;
            ipv4: string;
            ipv6: string | null;
            name: string;
            network: string;
            owner: string;
            /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
            ownerPerson?: {
              email: string | null;
              id: string;
              name: string | null;
            } | null;
            publicKey: string;
            /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
            revision: string | null;
            revokedAt: string | null;
            servedAt: string | null;
            /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
            settingsRevision: string | null;
            /** @enum {string} */
            status: 'pending' | 'active' | 'revoked' | 'expired';
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Peers_revoke: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            addresses: string[];
            claimExpiresAt: string | null;
            createdAt: string;
            /** @enum {string} */
            delivery: 'inline' | 'link';
            expiresAt: string | null;
            id: string;
            ipv4: string;
            ipv6: string | null;
            name: string;
            network: string;
            owner: string;
            /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
            ownerPerson?: {
              email: string | null;
              id: string;
              name: string | null;
            } | null;
            publicKey: string;
            /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
            revision: string | null;
            revokedAt: string | null;
            servedAt: string | null;
            /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
            settingsRevision: string | null;
            /** @enum {string} */
            status: 'pending' | 'active' | 'revoked' | 'expired';
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Peers_rename: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description The new device name (lists, audit log, hub config comment). The served file name stays the one given at enrollment. */
          name: string;
        };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            addresses: string[];
            claimExpiresAt: string | null;
            createdAt: string;
            /** @enum {string} */
            delivery: 'inline' | 'link';
            expiresAt: string | null;
            id: string;
            ipv4: string;
            ipv6: string | null;
            name: string;
            network: string;
            owner: string;
            /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
            ownerPerson?: {
              email: string | null;
              id: string;
              name: string | null;
            } | null;
            publicKey: string;
            /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
            revision: string | null;
            revokedAt: string | null;
            servedAt: string | null;
            /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
            settingsRevision: string | null;
            /** @enum {string} */
            status: 'pending' | 'active' | 'revoked' | 'expired';
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Peers_reissue: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * @default inline
           * @enum {string}
           */
          delivery?: 'inline' | 'link';
          /** @description Your own new X25519 public key (base64). Omit it and the server makes the key pair. */
          publicKey?: string;
        };
      };
    };
    responses: {
      /** @description Success */
      201: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          /** @description With the text/plain body: `attachment; filename="<name>.conf"`, the name wg-quick takes */
          'Content-Disposition'?: string;
          /** @description true when the hub agent reported an applied revision that includes the peer before this answer (as `hub.applied`); false otherwise */
          'Hub-Applied': 'true' | 'false';
          /** @description The peer: /v1/peers/{id} (also on a text/plain answer, whose body is only the .conf) */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            claim?: {
              expiresAt: string;
              url: string;
            };
            config?: {
              /** @description A file name wg-quick accepts (interface name ≤ 15 characters). */
              filename: string;
              /** @description The hub's addresses in the tunnel (also a comment in the text): ping one to check the tunnel. */
              hubAddresses: string[];
              /** @description false when you sent your own publicKey: the PrivateKey line then holds a placeholder that wg-quick, wg and the WireGuard apps refuse, until you replace it with the private key of that public key. */
              privateKeyIncluded: boolean;
              /** @description The wg-quick config. Shown once. */
              text: string;
            };
            /** @description Whether the hub has the peer. Also in the Hub-Applied header (true or false). */
            hub: {
              /** @description True when the hub agent reported an applied revision that includes the peer before this answer (waited for up to HUB_APPLY_WAIT while an agent reports): a tunnel brought up now gets its first handshake. */
              applied: boolean;
              /** @description The desired-state revision that put the peer on the hub, when the answer waited for it; null without a wait (HUB_APPLY_WAIT=0, no agent reporting, a claim link not redeemed). */
              revision: string | null;
            };
            peer: {
              addresses: string[];
              claimExpiresAt: string | null;
              createdAt: string;
              /** @enum {string} */
              delivery: 'inline' | 'link';
              expiresAt: string | null;
              id: string;
              ipv4: string;
              ipv6: string | null;
              name: string;
              network: string;
              owner: string;
              /** @description Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it). */
              ownerPerson?: {
                email: string | null;
                id: string;
                name: string | null;
              } | null;
              publicKey: string;
              /** @description Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second). */
              revision: string | null;
              revokedAt: string | null;
              servedAt: string | null;
              /** @description The network's settingsRevision its served config was rendered with (null: not served yet); below the network's: the device runs older settings until it is reissued. */
              settingsRevision: string | null;
              /** @enum {string} */
              status: 'pending' | 'active' | 'revoked' | 'expired';
            };
          };
          'text/plain': string;
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not acceptable */
      406: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Tokens_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              createdAt: string;
              expiresAt: string | null;
              id: string;
              lastUsedAt: string | null;
              name: string;
              network: string | null;
              /** @description The first characters of the secret, to recognise it */
              prefix: string;
              revokedAt: string | null;
              /** @enum {string} */
              role: 'admin' | 'requester' | 'agent';
            }[];
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Tokens_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Format: date-time
           * @description ISO 8601 date-time with offset; omit for no expiry
           */
          expiresAt?: string;
          name: string;
          /** @description Network name; required for agent tokens, optional scope for requesters */
          network?: string;
          /** @enum {string} */
          role: 'admin' | 'requester' | 'agent';
        };
      };
    };
    responses: {
      /** @description Success */
      201: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            createdAt: string;
            expiresAt: string | null;
            id: string;
            lastUsedAt: string | null;
            name: string;
            network: string | null;
            /** @description The first characters of the secret, to recognise it */
            prefix: string;
            revokedAt: string | null;
            /** @enum {string} */
            role: 'admin' | 'requester' | 'agent';
            /** @description The secret. Shown in this response only. */
            token: string;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Tokens_revoke: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      204: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Users_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** @description In OIDC_ADMIN_GROUPS. */
              admin: boolean;
              /** @description Live (pending or active) devices. */
              devices: number;
              disabledAt: string | null;
              email: string | null;
              /** @description The provider's groups at the last sign-in. */
              groups: string[];
              id: string;
              lastSignInAt: string | null;
              name: string | null;
            }[];
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  Users_disable: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @description off-hub: the devices leave the hub (quarantined) and stay on record; revoke: they are revoked.
           * @enum {string}
           */
          devices: 'off-hub' | 'revoke';
        };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description In OIDC_ADMIN_GROUPS. */
            admin: boolean;
            /** @description Live (pending or active) devices. */
            devices: number;
            disabledAt: string | null;
            email: string | null;
            /** @description The provider's groups at the last sign-in. */
            groups: string[];
            id: string;
            lastSignInAt: string | null;
            name: string | null;
          };
        };
      };
      /** @description Invalid request (code: validation-failed or a more specific code) */
      400: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  WhoAmI_whoami: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @description user: a person signed in (session cookie or personal token).
             * @enum {string}
             */
            kind: 'token' | 'enrollment-key' | 'user';
            /** @description The network the credential is bound to (always set for enrollment keys and agent tokens). */
            network: string | null;
            /** @description Names of the networks this credential may enroll devices into (empty for agent tokens). */
            networks: string[];
            /**
             * @description The API token role; null for enrollment keys.
             * @enum {string|null}
             */
            role: 'admin' | 'requester' | 'agent' | null;
          };
        };
      };
      /** @description Missing, unknown, expired or revoked credential */
      401: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The credential lacks the right */
      403: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (Retry-After) */
      429: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterLimited'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The database cannot be reached (code: database-unavailable; Retry-After); nothing was changed */
      503: {
        headers: {
          'Cache-Control': components['headers']['NoStore'];
          'Retry-After': components['headers']['RetryAfterUnavailable'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
}
