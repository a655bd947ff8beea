// Claim page (/claim/{token}): the server renders it (a GET changes nothing); one click here
// redeems the claim through the API and shows the config once. Without JavaScript the same
// button posts the form and the browser downloads the file.
import { api, ApiProblem } from './lib/api';
import { showConfig } from './lib/config-view';
import { byId, h } from './lib/dom';
import { humanDate } from './lib/problems';
import { claimStateOfRefusal } from '../../src/domain/peer/lifecycle';

interface Served {
  peer: { name: string; network: string };
  config: { filename: string; text: string };
}

function claimProblem(problem: ApiProblem): string {
  // The refusal codes come from the same claim-state derivation as the server's page.
  switch (claimStateOfRefusal(problem.code)) {
    case 'served': {
      const at = typeof problem.body.servedAt === 'string' ? ` on ${humanDate(problem.body.servedAt)}` : '';
      return `This configuration was already downloaded${at}. It is served only once. If that was not you, tell your administrator; ask them for a reissue to get a new configuration.`;
    }
    case 'expired':
      return 'This link has expired. Ask your administrator for a reissue.';
    case 'revoked':
      return 'This device was revoked, so its configuration is no longer available. Ask your administrator.';
    case null:
      break;
  }
  switch (problem.code) {
    case 'claim-not-found':
      return 'This claim link is not known. Check that you copied all of it.';
    case 'rate-limited':
      return 'Too many attempts from here. Wait a minute, then try again.';
    case 'network-error':
      return 'The service cannot be reached. Check your connection and try again.';
    default:
      return problem.detail ?? problem.title;
  }
}

const form = document.getElementById('claim-form') as HTMLFormElement | null;
if (form) {
  const action = form.dataset.claimAction ?? '';
  const button = byId<HTMLButtonElement>('claim-submit');
  const error = byId('claim-error');
  const intro = byId('claim-intro');
  const result = byId('result');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) {
      return;
    }
    button.disabled = true;
    error.hidden = true;
    api<Served>(action, { method: 'POST' })
      .then((served) => {
        intro.hidden = true;
        showConfig(result, served.config, {
          onDone: () => {
            result.replaceChildren(
              h(
                'p',
                { id: 'claim-cleared', tabindex: -1 },
                'The configuration was cleared from this page. This link cannot serve it again.',
              ),
            );
            byId('claim-cleared').focus();
          },
        });
      })
      .catch((problem: unknown) => {
        error.textContent =
          problem instanceof ApiProblem
            ? claimProblem(problem)
            : `Something went wrong in this page: ${String(problem)}`;
        error.hidden = false;
        error.focus();
        if (problem instanceof ApiProblem && problem.status !== 410 && problem.status !== 404) {
          button.disabled = false;
        }
      });
  });
}
