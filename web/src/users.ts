// People (/users), for admins: everyone who signed in, with e-mail, last sign-in and live
// devices; disabling a person signs them out everywhere, revokes their personal tokens and
// takes their devices off the hub or revokes them, as the admin chooses. The credential is the
// admin's session (the admin group) or the admin token the status page keeps in this tab's
// sessionStorage; the API decides (403 for anyone else), and the page then shows nobody.
import { answer, api, ApiProblem, type ResponseBody } from './lib/api';
import { byId, h } from './lib/dom';
import { currentSession, displayName, sessionApi } from './lib/session';
import type { ApiClient } from '../../src/contract';
import { problemLine } from './lib/problems';

type Person = ResponseBody<'/v1/users', 'get'>['items'][number];

/** The status page's key for the admin token in sessionStorage (the same tab shares it). */
const STATUS_TOKEN_KEY = 'wg-enroll.status.token';

const table = byId<HTMLTableElement>('users');
const body = byId('users-body');
const status = byId('users-status');
const errorBox = byId('users-error');

function showError(error: unknown): void {
  errorBox.hidden = false;
  errorBox.textContent =
    error instanceof ApiProblem && error.status === 403
      ? 'Only hub administrators can see the people who signed in.'
      : problemLine(error);
}

const when = (iso: string | null) => (iso === null ? 'never' : new Date(iso).toLocaleString());

function row(client: ApiClient, person: Person): HTMLTableRowElement {
  const cell = h('td', {});
  if (person.disabledAt === null) {
    const choice = h(
      'select',
      { 'aria-label': `Devices of ${person.email ?? person.name ?? person.id}`, name: 'devices' },
      h('option', { value: 'off-hub' }, 'devices off the hub'),
      h('option', { value: 'revoke' }, 'revoke devices'),
    );
    const button = h('button', { type: 'button', class: 'secondary', 'data-action': 'disable' }, 'Disable');
    button.addEventListener('click', () => void disable(client, person, choice.value as 'off-hub' | 'revoke'));
    cell.append(choice, ' ', button);
  }
  return h(
    'tr',
    { 'data-user': person.id, 'data-state': person.disabledAt === null ? 'enabled' : 'disabled' },
    h('td', {}, person.name ?? '—', person.admin ? ' (admin)' : ''),
    h('td', {}, person.email ?? '—'),
    h('td', {}, when(person.lastSignInAt)),
    h('td', { 'data-column': 'devices' }, person.devices),
    h('td', {}, person.disabledAt === null ? 'enabled' : `disabled ${when(person.disabledAt)}`),
    cell,
  );
}

async function load(client: ApiClient): Promise<void> {
  try {
    const { items } = await answer(client.GET('/v1/users'));
    errorBox.hidden = true;
    body.replaceChildren(...items.map((p) => row(client, p)));
    table.hidden = items.length === 0;
    if (items.length === 0) {
      status.textContent = 'Nobody has signed in yet.';
    }
  } catch (error) {
    table.hidden = true;
    body.replaceChildren();
    showError(error);
  }
}

async function disable(client: ApiClient, person: Person, devices: 'off-hub' | 'revoke'): Promise<void> {
  const who = person.name ?? person.email ?? person.id;
  const what = devices === 'revoke' ? 'their devices are revoked' : 'their devices leave the hub';
  if (!confirm(`Disable ${who}? They are signed out everywhere, their tokens stop working and ${what}.`)) {
    return;
  }
  try {
    await answer(client.POST('/v1/users/{id}/disable', { params: { path: { id: person.id } }, body: { devices } }));
    status.textContent = `${who} is disabled.`;
    await load(client);
  } catch (error) {
    showError(error);
  }
}

void currentSession().then((session) => {
  const token = sessionStorage.getItem(STATUS_TOKEN_KEY);
  if (session !== null && session !== 'signed-out') {
    byId('signed-in').hidden = false;
    byId('signed-in-name').textContent = displayName(session);
    void load(sessionApi(session));
  } else if (token !== null) {
    void load(api(token));
  } else {
    byId('signed-out').hidden = false;
  }
});
