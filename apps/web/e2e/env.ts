// The only reader of process.env in the end-to-end harness and scenarios.
export const e2eEnv = {
  /** What the servers the harness starts inherit. */
  inherited: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR },
  chromiumPath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  /** Fail, rather than skip, when no browser can be launched. */
  requireBrowser: process.env.ESTUARY_REQUIRE_BROWSER === '1',
  /** Echo the servers' output. */
  verbose: process.env.E2E_VERBOSE === '1',
  /** Write new reference screenshots instead of comparing with them. */
  updateScreenshots: process.env.UPDATE_SCREENSHOT === '1',
};
