import type { inferRouterOutputs } from '@trpc/server';
import type { z } from 'zod';
import type { AppRouter } from '../src';
import type * as S from '../src/rest/schemas';

// Compile-time: the JSON the REST door documents is exactly the router's inferred output with
// every Date as an ISO string. `pnpm typecheck` fails when a procedure's output drifts.
type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;
type Out = inferRouterOutputs<AppRouter>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type Checks = [
  Assert<Same<z.infer<typeof S.UserJson>, Json<Out['auth']['me']>>>,
  Assert<Same<z.infer<typeof S.SessionJson>, Json<Out['auth']['login']>>>,
  Assert<Same<z.infer<typeof S.TokenJson>, Json<Out['auth']['refresh']>>>,
  Assert<Same<z.infer<typeof S.BookingJson>, Json<Out['booking']['create']>>>,
  Assert<Same<z.infer<typeof S.ConversationJson>, Json<Out['conversation']['get']>>>,
  Assert<Same<z.infer<typeof S.ConversationPageJson>, Json<Out['conversation']['list']>>>,
  Assert<Same<z.infer<typeof S.MessageJson>, Json<Out['message']['send']>>>,
  Assert<Same<z.infer<typeof S.MessagePageJson>, Json<Out['message']['list']>>>,
  Assert<Same<z.infer<typeof S.ReceiptJson>, Json<Out['receipt']['markRead']>>>,
  Assert<Same<z.infer<typeof S.PresenceJson>[], Json<Out['presence']['list']>>>,
];
