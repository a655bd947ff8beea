// Shows a config once — text, download, QR — with the plain warning, and clears it again.
// Shared by the enrollment page and the claim page.
import { h } from './dom';
import { clearCanvas, drawQr } from './qr';

export interface ShownConfig {
  readonly filename: string;
  readonly text: string;
  /** The hub's addresses in the tunnel: what to ping once the tunnel is up. */
  readonly hubAddresses: readonly string[];
}

export interface ConfigViewOptions {
  /** Called after the person pressed "Done" and the config is gone from the page. */
  readonly onDone?: () => void;
}

/**
 * Renders the config into `host` and moves focus to it. Returns `clear`, which removes the
 * text, the QR pixels and every reference this module holds; it also runs when the page is
 * left (pagehide), so a back/forward cache never restores a config.
 */
export function showConfig(host: HTMLElement, config: ShownConfig, options: ConfigViewOptions = {}): () => void {
  let current: ShownConfig | null = config;
  const heading = h('h2', { id: 'config-heading', tabindex: -1 }, 'Your WireGuard configuration');
  const warning = h(
    'div',
    { class: 'once-warning', id: 'config-warning' },
    h('p', {}, h('strong', {}, 'Shown once. '), 'This page cannot show it again: save it now.'),
    h(
      'p',
      {},
      h('strong', {}, 'One machine only. '),
      'Ask for a new configuration for each further machine — the same file on two machines breaks both.',
    ),
  );
  const pre = h('pre', { id: 'config-text', tabindex: 0, 'aria-label': 'Configuration file' }, config.text);
  const download = h('button', { type: 'button', id: 'config-download' }, `Download ${config.filename}`);
  const done = h('button', { type: 'button', id: 'config-done', class: 'secondary' }, 'Done — clear it from this page');
  const canvas = h('canvas', {
    id: 'config-qr',
    role: 'img',
    'aria-label': 'QR code of the configuration, for the WireGuard mobile app',
  });
  const qrFigure = h(
    'figure',
    { class: 'qr' },
    canvas,
    h('figcaption', { class: 'hint' }, 'Scan with the WireGuard app: “+” → “Scan from QR code”.'),
  );
  const section = h(
    'section',
    { class: 'config-view', 'aria-labelledby': 'config-heading' },
    heading,
    warning,
    h('div', { class: 'actions' }, download, done),
    h('h3', {}, 'File ', h('code', {}, config.filename)),
    pre,
    ...(config.hubAddresses.length > 0
      ? [
          h(
            'p',
            { id: 'config-check', class: 'hint' },
            'Check the tunnel once it is up: ',
            h('code', {}, `ping ${config.hubAddresses[0]}`),
            ` (the hub: ${config.hubAddresses.join(', ')}).`,
          ),
        ]
      : []),
    h('h3', {}, 'QR code'),
    qrFigure,
  );
  try {
    drawQr(canvas, config.text);
  } catch {
    qrFigure.replaceChildren(h('p', { class: 'hint' }, 'This configuration is too long for a QR code; use the file.'));
  }

  download.addEventListener('click', () => {
    if (current === null) {
      return;
    }
    const url = URL.createObjectURL(new Blob([current.text], { type: 'text/plain' }));
    const link = h('a', { href: url, download: current.filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  const clear = () => {
    if (current === null) {
      return;
    }
    current = null;
    pre.textContent = '';
    clearCanvas(canvas);
    section.remove();
    window.removeEventListener('pagehide', clear);
  };
  window.addEventListener('pagehide', clear);
  done.addEventListener('click', () => {
    clear();
    options.onDone?.();
  });

  host.replaceChildren(section);
  host.hidden = false;
  heading.focus();
  return clear;
}
