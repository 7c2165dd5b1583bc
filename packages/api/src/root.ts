import { attachmentRouter } from './routers/attachment';
import { authRouter } from './routers/auth';
import { bookingRouter } from './routers/booking';
import { conversationRouter } from './routers/conversation';
import { messageRouter } from './routers/message';
import { notificationRouter } from './routers/notification';
import { presenceRouter } from './routers/presence';
import { reactionRouter } from './routers/reaction';
import { receiptRouter } from './routers/receipt';
import { typingRouter } from './routers/typing';
import { userRouter } from './routers/user';
import { router } from './trpc';

/** One router for every server: inputs are checked against each server's `ctx.services.limits`. */
export const appRouter = router({
  auth: authRouter,
  booking: bookingRouter,
  conversation: conversationRouter,
  message: messageRouter,
  typing: typingRouter,
  receipt: receiptRouter,
  presence: presenceRouter,
  user: userRouter,
  reaction: reactionRouter,
  attachment: attachmentRouter,
  notification: notificationRouter,
});
export type AppRouter = typeof appRouter;

/** @deprecated The router no longer depends on the limits: use `appRouter`. */
export const createAppRouter = (_limits?: unknown) => appRouter;
