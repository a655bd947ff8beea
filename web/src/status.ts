// Status page (/status): an admin signs in with an API token and watches the VPN — hub agent
// health, pool use and the peers, paged, searched and filtered by the server (never all peers in
// the browser, so it stays quick at tens of thousands of peers) — and acts on it: create an
// enrollment key, revoke or reissue a peer, each after a confirmation dialog.
//
// The token lives in this tab's sessionStorage only (never localStorage, a cookie or a URL) and
// goes to the API in the Authorization header. Reissue asks for a one-time claim link (delivery
// "link"), so no private key of a peer ever reaches the admin's browser.

import { currentSession, sessionApi, signOut as endSession, type SignedIn } from './lib/session';
import { ApiProblem, answer, api, type RequestBody, type ResponseBody } from './lib/api';
import { byId, h } from './lib/dom';
import { problemSentence } from './lib/problems';
import { age, bytes, until } from './lib/status-format';

const TOKEN_KEY = 'wg-enroll.status.token';
const PAGE_SIZE = 50;
const REFRESH_MS = 5000;
const SEARCH_DEBOUNCE_MS = 250;

type NetworkView = ResponseBody<'/v1/networks', 'get'>['items'][number];
type NetworkStatus = ResponseBody<'/v1/networks/{network}/status', 'get'>;
type PeerStatus = NetworkStatus['items'][number];

// ---------------------------------------------------------------------------------------------
// Problems as sentences

/** A clear sentence for a problem the API (or the network) returned. */
function sentence(problem: unknown): string {
  if (!(problem instanceof ApiProblem)) {
    return 'Something went wrong in this page. Reload it and try again.';
  }
  return problemSentence(problem, 'status');
}

function showError(element: HTMLElement, text: string | null): void {
  element.textContent = text ?? '';
  element.hidden = text === null;
}

function announce(text: string): void {
  const region = byId('announce');
  region.textContent = '';
  // A new text node, so screen readers announce a repeated message too.
  window.setTimeout(() => (region.textContent = text), 50);
}

// ---------------------------------------------------------------------------------------------
// Session

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** An admin signed in through OpenID Connect (the admin group): no token to paste. */
let signedIn: SignedIn | null = null;

function hasCredential(): boolean {
  return signedIn !== null || token() !== null;
}

/** The API as the signed-in admin. */
const client = () => (signedIn !== null ? sessionApi(signedIn) : api(token()));

const signInSection = byId('sign-in-section');
const dashboard = byId('dashboard');
const signOutButton = byId<HTMLButtonElement>('sign-out');
const tokenInput = byId<HTMLInputElement>('token');
const tokenError = byId('token-error');

function showSignIn(message: string | null): void {
  stopRefresh();
  dashboard.hidden = true;
  signOutButton.hidden = true;
  signInSection.hidden = false;
  tokenInput.value = '';
  showError(tokenError, message);
  tokenInput.setAttribute('aria-invalid', String(message !== null));
  tokenInput.focus();
}

function signOut(message: string | null = null): void {
  if (signedIn !== null && message === null) {
    void endSession(signedIn);
    return;
  }
  sessionStorage.removeItem(TOKEN_KEY);
  state.network = null;
  byId('peer-rows').replaceChildren();
  byId('hub').replaceChildren();
  byId('pool').replaceChildren();
  showSignIn(message);
  if (message === null) {
    announce('Signed out. The token was removed from this tab.');
  }
}

byId<HTMLFormElement>('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn();
});
signOutButton.addEventListener('click', () => signOut());

async function signIn(): Promise<void> {
  const value = tokenInput.value.trim();
  if (value === '') {
    showError(tokenError, 'Enter an admin token.');
    tokenInput.setAttribute('aria-invalid', 'true');
    tokenInput.focus();
    return;
  }
  const button = byId<HTMLButtonElement>('sign-in-button');
  button.disabled = true;
  try {
    const networks = await answer(api(value).GET('/v1/networks'));
    sessionStorage.setItem(TOKEN_KEY, value);
    tokenInput.value = '';
    showError(tokenError, null);
    tokenInput.removeAttribute('aria-invalid');
    openDashboard(networks.items);
  } catch (problem) {
    showError(tokenError, sentence(problem));
    tokenInput.setAttribute('aria-invalid', 'true');
    tokenInput.focus();
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Dashboard state

const state = {
  network: null as string | null,
  name: '',
  online: '' as '' | 'true' | 'false',
  flagged: false,
  expiring: false,
  /** cursors[i] is the cursor of page i (page 0 has none): "previous" walks back along it. */
  cursors: [undefined] as (string | undefined)[],
  page: 0,
  nextCursor: null as string | null,
  loading: null as AbortController | null,
  sequence: 0,
};

const networkSelect = byId<HTMLSelectElement>('network');
const loadError = byId('load-error');

function openDashboard(networks: NetworkView[]): void {
  signInSection.hidden = true;
  dashboard.hidden = false;
  signOutButton.hidden = false;
  networkSelect.replaceChildren(...networks.map((n) => h('option', { value: n.name }, `${n.name} (${n.ipv4Cidr})`)));
  if (networks.length === 0) {
    showError(loadError, 'There is no network yet. Create one through the API (POST /v1/networks).');
    byId<HTMLButtonElement>('new-key').disabled = true;
    return;
  }
  byId<HTMLButtonElement>('new-key').disabled = false;
  state.network = networks[0].name;
  resetPaging();
  void load({ announceResult: true });
  byId('peers-title').setAttribute('tabindex', '-1');
  byId('peers-title').focus();
}

function resetPaging(): void {
  state.cursors = [undefined];
  state.page = 0;
  state.nextCursor = null;
}

networkSelect.addEventListener('change', () => {
  state.network = networkSelect.value;
  resetPaging();
  void load({ announceResult: true });
});

// Search (debounced) and filters: every change asks the server again from the first page.
let searchTimer: number | undefined;
byId<HTMLInputElement>('search').addEventListener('input', (event) => {
  const value = (event.target as HTMLInputElement).value.trim();
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => {
    if (value !== state.name) {
      state.name = value;
      resetPaging();
      void load({ announceResult: true });
    }
  }, SEARCH_DEBOUNCE_MS);
});
byId<HTMLFormElement>('filters').addEventListener('submit', (event) => event.preventDefault());
byId<HTMLSelectElement>('state').addEventListener('change', (event) => {
  state.online = (event.target as HTMLSelectElement).value as '' | 'true' | 'false';
  resetPaging();
  void load({ announceResult: true });
});
for (const id of ['flagged', 'expiring'] as const) {
  byId<HTMLInputElement>(id).addEventListener('change', (event) => {
    state[id] = (event.target as HTMLInputElement).checked;
    resetPaging();
    void load({ announceResult: true });
  });
}

byId<HTMLButtonElement>('next').addEventListener('click', () => {
  if (state.nextCursor === null) {
    return;
  }
  state.cursors[state.page + 1] = state.nextCursor;
  state.page++;
  void load({ announceResult: true });
});
byId<HTMLButtonElement>('prev').addEventListener('click', () => {
  if (state.page === 0) {
    return;
  }
  state.page--;
  void load({ announceResult: true });
});

/** The query of the page shown: its size, the filters set, and the page's cursor. */
function statusQuery() {
  const cursor = state.cursors[state.page];
  return {
    limit: PAGE_SIZE,
    ...(state.name ? { name: state.name } : {}),
    ...(state.online ? { online: state.online } : {}),
    ...(state.flagged ? { flagged: 'true' as const } : {}),
    ...(state.expiring ? { expiring: 'true' as const } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/** Loads the current page; a newer load cancels an older one, so answers never arrive out of order. */
async function load(options: { announceResult?: boolean } = {}): Promise<void> {
  if (state.network === null || !hasCredential()) {
    return;
  }
  stopRefresh();
  state.loading?.abort();
  const controller = new AbortController();
  state.loading = controller;
  const sequence = ++state.sequence;
  const query = state.name;
  try {
    const status = await answer(
      client().GET('/v1/networks/{network}/status', {
        params: { path: { network: state.network }, query: statusQuery() },
        signal: controller.signal,
      }),
    );
    if (sequence !== state.sequence) {
      return;
    }
    // A page that emptied (its peers revoked meanwhile): step back to the first page.
    if (status.items.length === 0 && state.page > 0) {
      resetPaging();
      void load(options);
      return;
    }
    showError(loadError, null);
    render(status, query, options.announceResult === true);
  } catch (problem) {
    if (problem instanceof DOMException && problem.name === 'AbortError') {
      return;
    }
    if (sequence !== state.sequence) {
      return;
    }
    if (problem instanceof ApiProblem && problem.status === 401) {
      signOut('Your session ended: the token was not accepted any more (revoked or expired). Sign in again.');
      return;
    }
    showError(loadError, sentence(problem));
  } finally {
    if (sequence === state.sequence) {
      state.loading = null;
      scheduleRefresh();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Auto-refresh: every few seconds while the tab is visible; paused while hidden.

let refreshTimer: number | undefined;

function stopRefresh(): void {
  window.clearTimeout(refreshTimer);
  refreshTimer = undefined;
}

function scheduleRefresh(): void {
  stopRefresh();
  if (document.hidden || state.network === null || !hasCredential()) {
    return;
  }
  refreshTimer = window.setTimeout(() => void load(), REFRESH_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    stopRefresh();
  } else if (state.network !== null && hasCredential() && state.loading === null) {
    void load();
  }
});

// ---------------------------------------------------------------------------------------------
// Rendering

function dl(target: HTMLElement, entries: [string, Node | string][]): void {
  target.replaceChildren(...entries.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

function badge(text: string, kind: 'ok' | 'bad' | 'warn' | 'muted'): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/**
 * "In sync" only when wg has the file: a file written but not applied (no interface, no wg) or
 * refused by wg says so, with the agent's reason, since nothing can connect through it.
 */
function syncState(hub: NetworkStatus['hub']): HTMLElement {
  if (hub.applyState === 'not-applied' || hub.applyState === 'failed') {
    const label = hub.applyState === 'failed' ? 'no — apply failed' : 'no — file written, not applied';
    return h('span', { id: 'hub-apply' }, badge(label, 'bad'), ` ${hub.applyProblem ?? ''}`);
  }
  return h('span', { id: 'hub-apply' }, hub.inSync ? badge('yes', 'ok') : badge('no', 'warn'));
}

let lastSummary = '';

function render(status: NetworkStatus, query: string, announceResult: boolean): void {
  const { hub, pool, peers } = status;
  dl(byId('hub'), [
    [
      'Agent',
      h(
        'span',
        {},
        hub.agentHealthy ? badge('healthy', 'ok') : badge('unhealthy', 'bad'),
        ` last seen ${age(hub.agentLastSeenAt)}`,
      ),
    ],
    ['Desired revision', hub.desiredRevision],
    ['Applied revision', hub.appliedRevision ?? 'none yet'],
    ['In sync', syncState(hub)],
  ]);
  const used = pool.size === 0 ? 0 : Math.round((100 * pool.leased) / pool.size);
  dl(byId('pool'), [
    ['Size', String(pool.size)],
    ['Leased', `${pool.leased} (${used} %)`],
    ['Free', String(pool.free)],
    ['Cooling down', String(pool.cooling)],
    ['Peers online', `${peers.online} of ${peers.active}`],
    ['Flagged / expiring soon', `${peers.flagged} / ${peers.expiringSoon}`],
    ['Configs with older settings', olderSettings(peers)],
  ]);

  // Keep the focus where it was when the rows are redrawn (auto-refresh must not steal it).
  const focused = document.activeElement;
  const focusKey =
    focused instanceof HTMLElement && focused.closest('#peer-rows') ? (focused.dataset.focusKey ?? null) : null;

  const rows = status.items.map((peer) => peerRow(peer));
  const tbody = byId('peer-rows');
  if (rows.length === 0) {
    rows.push(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'No peer matches.')));
  }
  tbody.replaceChildren(...rows);
  if (focusKey !== null) {
    tbody.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  state.nextCursor = status.nextCursor;
  byId<HTMLButtonElement>('prev').disabled = state.page === 0;
  byId<HTMLButtonElement>('next').disabled = status.nextCursor === null;
  byId('page-label').textContent = `Page ${state.page + 1}`;
  const filters = [
    query ? `names containing “${query}”` : '',
    state.online === 'true' ? 'online' : state.online === 'false' ? 'offline' : '',
    state.flagged ? 'flagged' : '',
    state.expiring ? 'expiring within 7 days' : '',
  ].filter(Boolean);
  const summary =
    `Page ${state.page + 1}: ${status.items.length} peer${status.items.length === 1 ? '' : 's'}` +
    (filters.length > 0 ? ` (${filters.join(', ')})` : ` of ${peers.active} active`) +
    (status.nextCursor ? '; more on the next page.' : '.');
  if (summary !== lastSummary) {
    byId('peers-summary').textContent = summary;
    lastSummary = summary;
  }
  if (announceResult) {
    announce(summary);
  }
  byId('peers').setAttribute('data-loaded', 'true');
  // For the browser benchmark: when the table was drawn, and for which search.
  performance.mark('wg:peers-drawn', { detail: { query, rows: status.items.length, page: state.page } });
}

/** How many active peers run a config served before the network's settings last changed. */
function olderSettings(peers: NetworkStatus['peers']): HTMLElement {
  return h(
    'span',
    { id: 'older-settings' },
    peers.olderSettings === 0 ? badge('none', 'ok') : badge(`${peers.olderSettings} of ${peers.active}`, 'warn'),
    peers.olderSettings === 0 ? '' : ' got a config before the settings changed: reissue them to hand out the new ones',
  );
}

/** Who owns the peer: a person by name and e-mail (never their id alone), else the kind of credential. */
function ownerCell(peer: PeerStatus): HTMLTableCellElement {
  const person = peer.ownerPerson;
  if (person !== null) {
    const first = person.name ?? person.email ?? person.id;
    const second = person.name !== null && person.email !== null ? person.email : null;
    return h(
      'td',
      { 'data-column': 'owner' },
      first,
      second ? h('br') : null,
      second ? h('span', { class: 'hint' }, second) : null,
    );
  }
  const kind = peer.owner.slice(0, Math.max(0, peer.owner.indexOf(':'))) || peer.owner;
  return h('td', { 'data-column': 'owner', title: peer.owner }, kind === 'enrollment-key' ? 'enrollment key' : kind);
}

function peerRow(peer: PeerStatus): HTMLTableRowElement {
  const flags: HTMLElement[] = [];
  if (peer.flagged) {
    const flag = badge('duplicate config', 'bad');
    flag.title = peer.flagReason ?? 'The same config seems to run on two machines.';
    flags.push(flag);
  }
  if (peer.quarantined) {
    flags.push(badge('quarantined', 'bad'));
  }
  if (peer.expiringSoon && peer.expiresAt) {
    flags.push(badge(`expires ${until(peer.expiresAt)}`, 'warn'));
  }
  if (peer.olderSettings) {
    const older = badge('older settings', 'warn');
    older.title = "Its config was served before the network's settings changed: reissue it to hand out the new ones.";
    flags.push(older);
  }
  const action = (kind: 'revoke' | 'reissue', label: string, style: string, confirm: () => void) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: `small ${style}`,
        'data-focus-key': `${kind}:${peer.id}`,
        'aria-label': `${label} ${peer.name}`,
      },
      label,
    );
    button.addEventListener('click', confirm);
    return button;
  };
  const revoke: HTMLButtonElement = action('revoke', 'Revoke', 'danger', () => confirmRevoke(peer, revoke));
  const reissue: HTMLButtonElement = action('reissue', 'Reissue', 'secondary', () => confirmReissue(peer, reissue));
  return h(
    'tr',
    { 'data-peer-id': peer.id },
    h('th', { scope: 'row' }, peer.name),
    h('td', { class: 'mono' }, peer.ipv4, peer.ipv6 ? h('br') : null, peer.ipv6 ?? ''),
    h('td', {}, peer.online ? badge('online', 'ok') : badge(peer.deployed ? 'offline' : 'never connected', 'muted')),
    h('td', { 'data-column': 'handshake' }, age(peer.lastHandshakeAt)),
    h('td', { class: 'mono' }, peer.endpoint ?? '—'),
    h('td', { 'data-column': 'bytes' }, `${bytes(peer.rxBytes)} / ${bytes(peer.txBytes)}`),
    ownerCell(peer),
    h('td', { 'data-column': 'flags' }, ...(flags.length > 0 ? flags : ['—'])),
    h('td', { class: 'actions' }, revoke, reissue),
  );
}

// ---------------------------------------------------------------------------------------------
// Dialogs

const confirmDialog = byId<HTMLDialogElement>('confirm-dialog');
const confirmOk = byId<HTMLButtonElement>('confirm-ok');
const confirmError = byId('confirm-error');
let confirmAction: (() => Promise<void>) | null = null;
let returnFocus: HTMLElement | null = null;

function restoreFocus(): void {
  const target = returnFocus;
  returnFocus = null;
  // The rows may have been redrawn meanwhile (auto-refresh): find the same button again.
  const key = target?.dataset.focusKey;
  const again = key ? document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`) : null;
  if (target && target.isConnected) {
    target.focus();
  } else if (again) {
    again.focus();
  } else {
    byId('peers-title').focus();
  }
}

function ask(options: { title: string; text: string; confirm: string; danger: boolean; action: () => Promise<void> }) {
  byId('confirm-title').textContent = options.title;
  byId('confirm-text').textContent = options.text;
  confirmOk.textContent = options.confirm;
  confirmOk.className = options.danger ? 'danger' : '';
  showError(confirmError, null);
  confirmAction = options.action;
  confirmDialog.showModal();
  byId<HTMLButtonElement>('confirm-cancel').focus();
}

confirmOk.addEventListener('click', () => {
  const action = confirmAction;
  if (!action) {
    return;
  }
  confirmOk.disabled = true;
  action()
    .then(() => {
      confirmAction = null;
      if (confirmDialog.open) {
        confirmDialog.close();
      }
    })
    .catch((problem) => {
      showError(confirmError, sentence(problem));
      confirmOk.focus();
    })
    .finally(() => (confirmOk.disabled = false));
});
byId('confirm-cancel').addEventListener('click', () => confirmDialog.close());
confirmDialog.addEventListener('close', () => {
  confirmAction = null;
  if (!secretDialog.open) {
    restoreFocus();
  }
});

function confirmRevoke(peer: PeerStatus, from: HTMLElement): void {
  returnFocus = from;
  ask({
    title: `Revoke ${peer.name}?`,
    text:
      `${peer.name} (${peer.ipv4}) leaves the hub at once and its config stops working for good. ` +
      'Its address is free again after the cool-down. This cannot be undone.',
    confirm: 'Revoke peer',
    danger: true,
    action: async () => {
      await answer(client().DELETE('/v1/peers/{id}', { params: { path: { id: peer.id } } }));
      announce(`${peer.name} was revoked.`);
      returnFocus = null;
      void load();
    },
  });
}

function confirmReissue(peer: PeerStatus, from: HTMLElement): void {
  returnFocus = from;
  ask({
    title: `Reissue ${peer.name}?`,
    text:
      `${peer.name} gets a new key pair; its current config stops working now. You get a one-time claim link ` +
      'to pass on to the person using the device: they open it there and fetch the new config once. ' +
      'The private key is made on the server and never reaches this browser.',
    confirm: 'Reissue peer',
    danger: false,
    action: async () => {
      const result = await answer(
        client().POST('/v1/peers/{id}/reissue', { params: { path: { id: peer.id } }, body: { delivery: 'link' } }),
      );
      if (!result.claim) {
        throw new ApiProblem(0, 'no-claim', 'The service did not return a claim link', undefined);
      }
      confirmDialog.close();
      showSecret({
        title: `New claim link for ${peer.name}`,
        text:
          `Pass this link on to the person using ${peer.name}. It works once, until ` +
          `${new Date(result.claim.expiresAt).toLocaleString()}; it is shown only now.`,
        label: 'Claim link',
        secret: result.claim.url,
      });
      void load();
    },
  });
}

// Create an enrollment key: the form dialog is the confirmation (explicit Create / Cancel).
const keyDialog = byId<HTMLDialogElement>('key-dialog');
const keyForm = byId<HTMLFormElement>('key-form');
const keyFields = {
  name: byId<HTMLInputElement>('key-name'),
  maxUses: byId<HTMLInputElement>('key-uses'),
  expiresAt: byId<HTMLInputElement>('key-expiry'),
};
const keyFieldErrors = {
  name: byId('key-name-error'),
  maxUses: byId('key-uses-error'),
  expiresAt: byId('key-expiry-error'),
};

byId<HTMLButtonElement>('new-key').addEventListener('click', (event) => {
  returnFocus = event.currentTarget as HTMLElement;
  keyForm.reset();
  keyFields.name.value = 'enrollment key';
  for (const field of Object.keys(keyFields) as (keyof typeof keyFields)[]) {
    showError(keyFieldErrors[field], null);
    keyFields[field].removeAttribute('aria-invalid');
  }
  showError(byId('key-error'), null);
  byId('key-dialog-text').textContent =
    `Anyone holding the key can enroll devices into ${state.network} until its uses are spent or it expires. ` +
    'The key is shown once after you create it.';
  keyDialog.showModal();
  keyFields.name.focus();
});
byId('key-cancel').addEventListener('click', () => keyDialog.close());
keyDialog.addEventListener('close', () => {
  if (!secretDialog.open) {
    restoreFocus();
  }
});

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void createKey();
});

async function createKey(): Promise<void> {
  for (const field of Object.keys(keyFields) as (keyof typeof keyFields)[]) {
    showError(keyFieldErrors[field], null);
    keyFields[field].removeAttribute('aria-invalid');
  }
  showError(byId('key-error'), null);
  const body: RequestBody<'/v1/networks/{network}/enrollment-keys', 'post'> = { name: keyFields.name.value.trim() };
  const uses = keyFields.maxUses.value.trim();
  if (!/^\d+$/.test(uses)) {
    fieldProblem('maxUses', 'Enter a whole number of devices, 1 or more.');
    return;
  }
  body.maxUses = Number(uses);
  if (keyFields.expiresAt.value) {
    const when = new Date(keyFields.expiresAt.value);
    if (Number.isNaN(when.getTime())) {
      fieldProblem('expiresAt', 'Enter a date and time, or leave it empty for no expiry.');
      return;
    }
    body.expiresAt = when.toISOString();
  }
  const button = byId<HTMLButtonElement>('key-confirm');
  button.disabled = true;
  try {
    const created = await answer(
      client().POST('/v1/networks/{network}/enrollment-keys', {
        params: { path: { network: state.network ?? '' } },
        body,
      }),
    );
    keyDialog.close();
    showSecret({
      title: 'Enrollment key created',
      text:
        `Copy the key “${created.name}” now: it is shown only this once, and the service keeps only its hash. ` +
        `It enrolls up to ${created.maxUses} device${created.maxUses === 1 ? '' : 's'} into ${state.network}.`,
      label: 'Enrollment key',
      secret: created.key,
    });
  } catch (problem) {
    const fields = problem instanceof ApiProblem ? problem.errors : [];
    let placed = false;
    for (const error of fields) {
      const field = error.field.replace(/^body\./, '') as keyof typeof keyFields;
      if (field in keyFields) {
        fieldProblem(field, fieldSentence(field, error.message));
        placed = true;
      }
    }
    if (!placed) {
      showError(byId('key-error'), sentence(problem));
      button.focus();
    }
  } finally {
    button.disabled = false;
  }
}

function fieldSentence(field: keyof typeof keyFields, message: string): string {
  switch (field) {
    case 'name':
      return `The name is not accepted (${message}): use 1 to 64 characters without control characters.`;
    case 'maxUses':
      return `The number of uses is not accepted (${message}): use a whole number from 1 to 1,000,000.`;
    case 'expiresAt':
      return `The expiry is not accepted (${message}): it must be in the future.`;
  }
}

function fieldProblem(field: keyof typeof keyFields, text: string): void {
  showError(keyFieldErrors[field], text);
  keyFields[field].setAttribute('aria-invalid', 'true');
  keyFields[field].focus();
}

// A secret (enrollment key, claim link) shown once: gone from the page when the dialog closes.
const secretDialog = byId<HTMLDialogElement>('secret-dialog');
const secretValue = byId<HTMLInputElement>('secret-value');

function showSecret(options: { title: string; text: string; label: string; secret: string }): void {
  byId('secret-title').textContent = options.title;
  byId('secret-text').textContent = options.text;
  byId('secret-label').textContent = options.label;
  byId('secret-copied').textContent = '';
  secretValue.value = options.secret;
  secretDialog.showModal();
  secretValue.focus();
  secretValue.select();
}

byId('secret-copy').addEventListener('click', () => {
  const done = () => (byId('secret-copied').textContent = 'Copied to the clipboard.');
  const fallback = () => {
    secretValue.focus();
    secretValue.select();
    byId('secret-copied').textContent = document.execCommand('copy')
      ? 'Copied to the clipboard.'
      : 'Copying is not allowed here: the text is selected, press Ctrl+C (or ⌘C).';
  };
  if (navigator.clipboard?.writeText) {
    navigator.clipboard.writeText(secretValue.value).then(done, fallback);
  } else {
    fallback();
  }
});
function forgetSecret(): void {
  secretValue.value = '';
  byId('secret-title').textContent = '';
  byId('secret-text').textContent = '';
  byId('secret-copied').textContent = '';
}
byId('secret-done').addEventListener('click', () => {
  forgetSecret();
  secretDialog.close();
});
// Escape closes the dialog too: the secret goes with it.
secretDialog.addEventListener('close', () => {
  forgetSecret();
  restoreFocus();
});

// ---------------------------------------------------------------------------------------------
// Start: a token already in this tab's session opens the dashboard straight away.

async function start(): Promise<void> {
  const found = await currentSession();
  if (found !== null && found !== 'signed-out' && found.user.admin) {
    signedIn = found;
  }
  if (!hasCredential()) {
    showSignIn(null);
    return;
  }
  try {
    const networks = await answer(client().GET('/v1/networks'));
    openDashboard(networks.items);
  } catch (problem) {
    if (problem instanceof ApiProblem && (problem.status === 401 || problem.status === 403)) {
      signOut(`${sentence(problem)} Sign in again.`);
    } else {
      showSignIn(sentence(problem));
    }
  }
}

void start();
