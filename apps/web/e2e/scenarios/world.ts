import type { Browser, Page } from 'playwright-core';
import type { Stack } from '../harness/stack';

/**
 * What the scenarios share: one stack and one browser for the whole file, and the two
 * signed-in pages, set by the first scenario and used by the rest in order.
 */
export interface World {
  stack: Stack;
  browser: Browser;
  ada: Page;
  chloe: Page;
}
