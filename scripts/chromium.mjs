// How the browser proofs (test/support/browser.ts) and the browser benchmark (scripts/bench-web.mjs)
// start Debian's Chromium through playwright-core: one place for the path and the flags.

/** Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it. CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** playwright-core launch options: headless, no sandbox (root in CI), no background traffic. */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
