// API problems as sentences a person can act on, attached to the field they concern.
import type { ApiProblem } from './api';

export type Field = 'credential' | 'name' | 'network' | 'form';

export interface FieldMessage {
  readonly field: Field;
  readonly message: string;
}

const ASK_NEW_KEY = 'Ask your administrator for a new one.';

/** The sentences for an enrollment attempt (POST /v1/networks/{n}/peers, GET /v1/whoami). */
export function enrollmentProblem(problem: ApiProblem, network: string): FieldMessage[] {
  switch (problem.code) {
    case 'unauthenticated':
      return [{ field: 'credential', message: 'Enter your enrollment key or API token.' }];
    case 'invalid-credential':
      return [
        {
          field: 'credential',
          message:
            'This key or token is not known, or it has expired or been revoked. Check that you pasted all of it.',
        },
      ];
    case 'enrollment-key-expired':
      return [{ field: 'credential', message: `This enrollment key has expired. ${ASK_NEW_KEY}` }];
    case 'enrollment-key-revoked':
      return [{ field: 'credential', message: `This enrollment key was revoked. ${ASK_NEW_KEY}` }];
    case 'enrollment-key-spent':
      return [
        { field: 'credential', message: `This enrollment key has been used as often as it allows. ${ASK_NEW_KEY}` },
      ];
    case 'forbidden':
      return [
        {
          field: 'credential',
          message: 'This credential may not enroll devices. Use an enrollment key or a requester token.',
        },
      ];
    case 'network-not-found':
      return [
        {
          field: 'network',
          message: network
            ? `There is no network “${network}” that your credential may use. Check its name.`
            : 'Choose the network to join.',
        },
      ];
    case 'pool-exhausted':
      return [
        {
          field: 'network',
          message: `The network${network ? ` “${network}”` : ''} has no free addresses left. Ask your administrator to free or add some.`,
        },
      ];
    case 'hub-not-registered':
      return [
        {
          field: 'network',
          message:
            'The hub of this network is not set up yet (its agent has not registered). Try again once your administrator has started it.',
        },
      ];
    case 'public-key-in-use':
      return [{ field: 'form', message: 'That key pair is already in use. Press the button again to make a new one.' }];
    case 'validation-failed': {
      const messages = problem.errors.map((e): FieldMessage => {
        const field: Field = e.field === 'name' ? 'name' : 'form';
        return { field, message: field === 'name' ? `The device name ${e.message}.` : `${e.field}: ${e.message}.` };
      });
      return messages.length > 0 ? messages : [{ field: 'form', message: problem.detail ?? problem.title }];
    }
    case 'rate-limited':
      return [{ field: 'form', message: 'Too many attempts from here. Wait a minute, then try again.' }];
    case 'network-error':
      return [{ field: 'form', message: 'The service cannot be reached. Check your connection and try again.' }];
    default:
      return [{ field: 'form', message: problem.detail ?? problem.title }];
  }
}

/** "26 November 2026, 08:31 UTC" style, in the reader's locale and time zone. */
export function humanDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' }).format(date);
}
