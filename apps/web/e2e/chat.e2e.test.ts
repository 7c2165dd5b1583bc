import { afterAll, beforeAll, describe } from 'vitest';
import { browserAvailable, consoleErrors, launchBrowser } from './harness/browser';
import { startStack } from './harness/stack';
import { attachments } from './scenarios/attachments';
import { attachmentsOffline } from './scenarios/attachments-offline';
import { conversationBasics } from './scenarios/basics';
import { delivery } from './scenarios/delivery';
import { doors } from './scenarios/doors';
import { finish } from './scenarios/finish';
import { history } from './scenarios/history';
import { platform } from './scenarios/platform';
import { resilience } from './scenarios/resilience';
import { richConversations } from './scenarios/rich';
import { security } from './scenarios/security';
import type { World } from './scenarios/world';

// One stack for the whole file: starting next dev and compiling it is most of the cost.
// The scenarios run in order and build on each other (Ada and Chloe stay signed in).
const world = {} as World;

describe.runIf(browserAvailable()).sequential('chat in two browsers', () => {
  beforeAll(async () => {
    // The browser first: if there is none, say so before starting anything.
    world.browser = await launchBrowser();
    world.stack = await startStack();
  });

  afterAll(async () => {
    // Refused sockets while ws or web is down, requests while offline, and the sends a test
    // aborts, are expected.
    const expected =
      /ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|net::ERR_FAILED .*message\.send|ERR_CONNECTION_RESET .*\/api\/attachments\/.*\/upload/;
    const other = consoleErrors.filter((line) => !expected.test(line));
    if (other.length > 0) console.warn(`console errors:\n${other.join('\n')}`);
    await world.browser?.close().catch(() => {});
    await world.stack?.stop();
  });

  conversationBasics(world);
  attachments(world);
  attachmentsOffline(world);
  delivery(world);
  resilience(world);
  history(world);
  richConversations(world);
  platform(world);
  doors(world);
  security(world);
  finish(world);
});
