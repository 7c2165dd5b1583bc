import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { e2eEnv } from '../env';

const CHROMIUM = e2eEnv.chromiumPath;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../screenshots');

/** Uncaught exceptions in any page: a test run must end with none. */
export const uncaught: string[] = [];
/** console.error output (React warnings, failed sockets while ws is down): reported, not fatal. */
export const consoleErrors: string[] = [];

/**
 * Whether the suite can run here. Without a browser it is skipped with a notice (a fresh
 * machine with only Node and npm still passes `npm test`); CI sets
 * ESTUARY_REQUIRE_BROWSER=1, and then a missing browser fails the run instead.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (e2eEnv.requireBrowser) return true; // fail loudly in launchBrowser
  console.warn(
    `\n  browser tests skipped: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.\n`,
  );
  return false;
}

/** The system Chromium; the tests never download a browser. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with \`apt-get install -y chromium\`, or point CHROMIUM_PATH at a Chromium binary.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 120_000 });
}

/** A signed-in person in a browser context of their own (own cookies, own socket). */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  email: string,
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const who = email.split('@')[0];
  page.on('pageerror', (error) => uncaught.push(`[${who}] ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      consoleErrors.push(`[${who}] ${message.text()} (${message.location().url})`);
    }
  });
  await page.goto('/login', { timeout: 120_000 });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('estuary-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/conversations', { timeout: 120_000 });
  await connected(page);
  return page;
}

/** Waits for the connection status to say the socket is up. */
export async function connected(page: Page, timeout = 60_000) {
  await page
    .getByRole('status', { name: 'Connection' })
    .getByText('Connected', { exact: true })
    .waitFor({ timeout });
}

export async function screenshot(page: Page, name: string) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`) });
}
