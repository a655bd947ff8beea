// Claim page (/claim/{token}): the server renders it (a GET changes nothing); one click here
// redeems the claim through the API and shows the config once. Without JavaScript the same
// button posts the form and the browser downloads the file.
import { answer, api, ApiProblem } from './lib/api';
import { showConfig } from './lib/config-view';
import { byId, h } from './lib/dom';
import { problemSentence } from './lib/problems';

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
    answer(
      api().POST('/v1/claims/{claimToken}', {
        params: { path: { claimToken: decodeURIComponent(action.replace(/^.*\//, '')) } },
      }),
    )
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
            ? problemSentence(problem, 'claim')
            : `Something went wrong in this page: ${String(problem)}`;
        error.hidden = false;
        error.focus();
        if (problem instanceof ApiProblem && problem.status !== 410 && problem.status !== 404) {
          button.disabled = false;
        }
      });
  });
}
