import { afterAll, beforeAll, describe } from 'vitest';
import { consoleErrors, launchBrowser } from './harness/browser';
import { startStack } from './harness/stack';
import { conversationBasics } from './scenarios/basics';
import { finish } from './scenarios/finish';
import { resilience } from './scenarios/resilience';
import type { World } from './scenarios/world';

// One stack for the whole file: starting next dev and compiling it is most of the cost.
// The scenarios run in order and build on each other (Ada and Chloe stay signed in).
const world = {} as World;

describe.sequential('chat in two browsers', () => {
  beforeAll(async () => {
    world.stack = await startStack();
    world.browser = await launchBrowser();
  });

  afterAll(async () => {
    // Refused sockets while ws is down are expected; anything else is worth reading.
    const other = consoleErrors.filter((line) => !line.includes('ERR_CONNECTION_REFUSED'));
    if (other.length > 0) console.warn(`console errors:\n${other.join('\n')}`);
    await world.browser?.close().catch(() => {});
    await world.stack?.stop();
  });

  conversationBasics(world);
  resilience(world);
  finish(world);
});
