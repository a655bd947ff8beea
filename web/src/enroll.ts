// Enrollment page (/): the person's credential and a device name in, a config out — made from
// the server's answer plus a private key that never leaves this page.
import { insertPrivateKey } from '../../src/domain/render/peer-config';
import { answer, api, ApiProblem, type ResponseBody } from './lib/api';
import { showConfig } from './lib/config-view';
import { byId, h } from './lib/dom';
import { makeKeyPair } from './lib/keys';
import { enrollmentProblem, type Field, type FieldMessage } from './lib/problems';
import { currentSession, displayName, sessionApi, signOut, type SignedIn } from './lib/session';

type WhoAmI = ResponseBody<'/v1/whoami', 'get'>;
type Enrolled = ResponseBody<'/v1/networks/{network}/peers', 'post'>;

const form = byId<HTMLFormElement>('enroll-form');
const credentialInput = byId<HTMLInputElement>('credential');
const nameInput = byId<HTMLInputElement>('name');
const networkInput = byId<HTMLInputElement>('network');
const networkOptions = byId<HTMLDataListElement>('network-options');
const networkHint = byId('network-hint');
const submit = byId<HTMLButtonElement>('enroll-submit');
const formError = byId('form-error');
const status = byId('form-status');
const result = byId('result');

const inputs: Record<Exclude<Field, 'form'>, HTMLInputElement> = {
  credential: credentialInput,
  name: nameInput,
  network: networkInput,
};

function clearErrors(): void {
  for (const [field, input] of Object.entries(inputs)) {
    input.removeAttribute('aria-invalid');
    const error = byId(`${field}-error`);
    error.textContent = '';
    error.hidden = true;
  }
  formError.textContent = '';
  formError.hidden = true;
}

/** Puts each sentence next to its field and moves focus to the first one. */
function showErrors(messages: readonly FieldMessage[], moveFocus = true): void {
  clearErrors();
  let first: HTMLElement | null = null;
  const byField = new Map<Field, string[]>();
  for (const { field, message } of messages) {
    byField.set(field, [...(byField.get(field) ?? []), message]);
  }
  for (const [field, sentences] of byField) {
    const target = field === 'form' ? formError : byId(`${field}-error`);
    target.textContent = sentences.join(' ');
    target.hidden = false;
    if (field !== 'form') {
      inputs[field].setAttribute('aria-invalid', 'true');
      first ??= inputs[field];
    }
  }
  if (moveFocus) {
    (first ?? formError).focus();
  }
}

// --- signed in (OpenID Connect): the session stands in for the credential ---------------------

let session: SignedIn | null = null;
const sessionReady = currentSession().then((found) => {
  byId('sign-in-link').hidden = found !== 'signed-out';
  if (found !== null && found !== 'signed-out') {
    session = found;
    byId('credential-field').hidden = true;
    byId('signed-in').hidden = false;
    byId('signed-in-name').textContent = displayName(found);
    byId('sign-in-link').hidden = true;
    byId('devices-link').hidden = false;
    byId('sign-out').addEventListener('click', () => void signOut(found));
    void whoami('').then(showNetworks, () => undefined);
  }
});

function client(credential: string) {
  return session !== null ? sessionApi(session) : api(credential);
}

// --- which network the credential belongs to (GET /v1/whoami) -------------------------------

let known: { credential: string; answer: Promise<WhoAmI> } | null = null;

function whoami(credential: string): Promise<WhoAmI> {
  if (known?.credential !== credential) {
    known = { credential, answer: answer(client(credential).GET('/v1/whoami')) };
    known.answer.catch(() => {
      known = null;
    });
  }
  return known.answer;
}

function showNetworks(me: WhoAmI): void {
  networkOptions.replaceChildren(...me.networks.map((name) => h('option', { value: name })));
  if (me.network !== null) {
    networkInput.value = me.network;
    networkInput.readOnly = true;
    networkHint.textContent = `Your ${me.kind === 'enrollment-key' ? 'enrollment key' : 'token'} belongs to the network “${me.network}”.`;
  } else {
    networkInput.readOnly = false;
    if (!networkInput.value && me.networks.length === 1) {
      networkInput.value = me.networks[0];
    }
    networkHint.textContent =
      me.networks.length > 0
        ? `${me.kind === 'user' ? 'You' : 'Your token'} may enroll into: ${me.networks.join(', ')}.`
        : me.kind === 'user'
          ? 'No network is open to self-service for you.'
          : 'This credential may not enroll devices.';
  }
}

credentialInput.addEventListener('change', () => {
  const credential = credentialInput.value.trim();
  networkInput.readOnly = false;
  if (!credential) {
    return;
  }
  whoami(credential).then(showNetworks, (error: unknown) => {
    if (error instanceof ApiProblem) {
      // Focus stays where the person went; the sentence appears next to the credential.
      showErrors(
        enrollmentProblem(error, networkInput.value.trim()).filter((m) => m.field === 'credential'),
        false,
      );
    }
  });
});

async function resolveNetwork(credential: string): Promise<string | null> {
  const typed = networkInput.value.trim();
  const me = await whoami(credential);
  showNetworks(me);
  if (me.network !== null) {
    return me.network;
  }
  if (typed) {
    return typed;
  }
  return me.networks.length === 1 ? me.networks[0] : null;
}

// --- enroll ----------------------------------------------------------------------------------

let busy = false;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!busy) {
    void enroll();
  }
});

async function enroll(): Promise<void> {
  clearErrors();
  await sessionReady;
  const credential = credentialInput.value.trim();
  const name = nameInput.value.trim();
  const missing: FieldMessage[] = [];
  if (!credential && session === null) {
    missing.push({ field: 'credential', message: 'Enter your enrollment key or API token.' });
  }
  if (!name) {
    missing.push({ field: 'name', message: 'Enter a name for this device.' });
  }
  if (missing.length > 0) {
    showErrors(missing);
    return;
  }
  busy = true;
  submit.disabled = true;
  status.textContent = 'Making the key pair and asking the service…';
  let network = networkInput.value.trim();
  try {
    const resolved = await resolveNetwork(credential);
    if (resolved === null) {
      status.textContent = '';
      showErrors([{ field: 'network', message: 'Choose the network to join.' }]);
      return;
    }
    network = resolved;
    let keys: { privateKey: string; publicKey: string } | null = makeKeyPair();
    let enrolled: Enrolled;
    try {
      enrolled = await answer(
        client(credential).POST('/v1/networks/{network}/peers', {
          params: { path: { network } },
          body: { name, publicKey: keys.publicKey, delivery: 'inline' },
        }),
      );
    } catch (error) {
      keys = null; // nothing was created: this key pair is never used
      throw error;
    }
    if (!enrolled.config) {
      throw new ApiProblem(500, 'no-config', 'The service sent no configuration', undefined);
    }
    const text = insertPrivateKey(enrolled.config.text, keys.privateKey);
    keys = null;
    form.hidden = true;
    status.textContent = '';
    showConfig(
      result,
      { filename: enrolled.config.filename, text, hubAddresses: enrolled.config.hubAddresses },
      {
        onDone: () => {
          result.hidden = true;
          form.hidden = false;
          nameInput.value = '';
          status.textContent = `The configuration for ${enrolled.peer.name} was cleared from this page.`;
          nameInput.focus();
        },
      },
    );
  } catch (error) {
    status.textContent = '';
    if (error instanceof ApiProblem) {
      showErrors(enrollmentProblem(error, network));
    } else {
      showErrors([{ field: 'form', message: `Something went wrong in this page: ${String(error)}` }]);
    }
  } finally {
    busy = false;
    submit.disabled = false;
  }
}
