// "My devices" (/devices): the signed-in person's devices in every network, through the same
// /v1 API as scripts (session cookie + CSRF token). Rename; revoke; reissue with a key pair made
// in this page (the new config is shown once, as on the enrollment page).
import { insertPrivateKey } from '../../src/domain/render/peer-config';
import { answer, ApiProblem, type ResponseBody } from './lib/api';
import { showConfig } from './lib/config-view';
import { byId, h } from './lib/dom';
import { makeKeyPair } from './lib/keys';
import { currentSession, displayName, sessionApi, signOut, type SignedIn } from './lib/session';
import { problemLine } from './lib/problems';

type Device = ResponseBody<'/v1/me/devices', 'get'>['items'][number];

const table = byId<HTMLTableElement>('devices');
const body = byId('devices-body');
const status = byId('devices-status');
const errorBox = byId('devices-error');
const result = byId('result');

function showError(error: unknown): void {
  errorBox.hidden = false;
  errorBox.textContent = problemLine(error);
}

const when = (iso: string | null) => (iso === null ? '—' : new Date(iso).toLocaleString());

function row(session: SignedIn, device: Device): HTMLTableRowElement {
  const live = device.status === 'active' || device.status === 'pending';
  const state = device.online ? 'online' : device.status;
  const actions = h('td', {});
  const nameCell = h('td', { 'data-column': 'name' }, device.name);
  if (live) {
    const rename = h('button', { type: 'button', class: 'secondary', 'data-action': 'rename' }, 'Rename');
    rename.addEventListener('click', () => renameForm(session, device, nameCell));
    actions.append(rename, ' ');
    const revoke = h('button', { type: 'button', class: 'secondary', 'data-action': 'revoke' }, 'Revoke');
    revoke.addEventListener('click', () => void revokeDevice(session, device));
    const reissue = h('button', { type: 'button', class: 'secondary', 'data-action': 'reissue' }, 'New config');
    reissue.addEventListener('click', () => void reissueDevice(session, device));
    actions.append(reissue, ' ', revoke);
  }
  return h(
    'tr',
    { 'data-peer': device.id, 'data-status': device.status },
    nameCell,
    h('td', {}, device.network),
    h('td', {}, device.addresses.join(', ')),
    h('td', { class: `state-${state}` }, state),
    h('td', {}, when(device.lastHandshakeAt)),
    h('td', {}, when(device.expiresAt)),
    actions,
  );
}

async function load(session: SignedIn): Promise<void> {
  errorBox.hidden = true;
  try {
    const { items } = await answer(sessionApi(session).GET('/v1/me/devices'));
    body.replaceChildren(...items.map((d) => row(session, d)));
    table.hidden = items.length === 0;
    status.textContent = items.length === 0 ? 'You have no devices yet. Enroll one on the enrollment page.' : '';
  } catch (error) {
    showError(error);
  }
}

/** The name cell becomes a small form; the new name goes to PATCH /v1/peers/{id}. */
function renameForm(session: SignedIn, device: Device, cell: HTMLElement): void {
  const input = h('input', {
    type: 'text',
    name: 'name',
    value: device.name,
    maxlength: 64,
    required: true,
    'aria-label': `New name for ${device.name}`,
  });
  const save = h('button', { type: 'submit', 'data-action': 'save-name' }, 'Save');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const form = h('form', { class: 'rename' }, input, ' ', save, ' ', cancel);
  cancel.addEventListener('click', () => cell.replaceChildren(device.name));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void renameDevice(session, device, input.value);
  });
  cell.replaceChildren(form);
  input.select();
}

async function renameDevice(session: SignedIn, device: Device, name: string): Promise<void> {
  try {
    const renamed = await answer(
      sessionApi(session).PATCH('/v1/peers/{id}', { params: { path: { id: device.id } }, body: { name } }),
    );
    await load(session);
    status.textContent = `${device.name} is now called ${renamed.name}.`;
  } catch (error) {
    showError(error);
  }
}

async function revokeDevice(session: SignedIn, device: Device): Promise<void> {
  if (!confirm(`Revoke ${device.name}? Its configuration stops working at once.`)) {
    return;
  }
  try {
    await answer(sessionApi(session).DELETE('/v1/peers/{id}', { params: { path: { id: device.id } } }));
    await load(session);
    status.textContent = `${device.name} was revoked.`;
  } catch (error) {
    showError(error);
  }
}

async function reissueDevice(session: SignedIn, device: Device): Promise<void> {
  try {
    let keys: { privateKey: string; publicKey: string } | null = makeKeyPair();
    const reissued = await answer(
      sessionApi(session).POST('/v1/peers/{id}/reissue', {
        params: { path: { id: device.id } },
        body: { publicKey: keys.publicKey, delivery: 'inline' },
      }),
    );
    if (!reissued.config) {
      throw new ApiProblem(500, 'no-config', 'The service sent no configuration', undefined);
    }
    const text = insertPrivateKey(reissued.config.text, keys.privateKey);
    keys = null;
    table.hidden = true;
    showConfig(
      result,
      { filename: reissued.config.filename, text, hubAddresses: reissued.config.hubAddresses },
      {
        onDone: () => {
          result.hidden = true;
          void load(session);
        },
      },
    );
  } catch (error) {
    showError(error);
  }
}

void currentSession().then((session) => {
  if (session === null || session === 'signed-out') {
    byId('signed-out').hidden = false;
    return;
  }
  byId('signed-in').hidden = false;
  byId('signed-in-name').textContent = displayName(session);
  byId('sign-out').addEventListener('click', () => void signOut(session));
  void load(session);
});
