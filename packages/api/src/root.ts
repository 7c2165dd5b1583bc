import { DEFAULT_LIMITS, type Limits } from './domain/types';
import { attachmentRouter } from './routers/attachment';
import { authRouter } from './routers/auth';
import { bookingRouter } from './routers/booking';
import { createConversationRouter } from './routers/conversation';
import { createMessageRouter } from './routers/message';
import { notificationRouter } from './routers/notification';
import { presenceRouter } from './routers/presence';
import { reactionRouter } from './routers/reaction';
import { receiptRouter } from './routers/receipt';
import { typingRouter } from './routers/typing';
import { createUserRouter } from './routers/user';
import { router } from './trpc';

/** The router with input limits baked into its schemas; servers pass their configured limits. */
export function createAppRouter(
  limits: Pick<Limits, 'maxContentLength' | 'maxPageSize'> = DEFAULT_LIMITS,
) {
  return router({
    auth: authRouter,
    booking: bookingRouter,
    conversation: createConversationRouter(limits),
    message: createMessageRouter(limits),
    typing: typingRouter,
    receipt: receiptRouter,
    presence: presenceRouter,
    user: createUserRouter(limits),
    reaction: reactionRouter,
    attachment: attachmentRouter,
    notification: notificationRouter,
  });
}

export const appRouter = createAppRouter();
export type AppRouter = typeof appRouter;
