import { TRPCError } from '@trpc/server';
import type { Context } from './context';
import { authErrorMessage, serviceTokenRefused } from './context';
import type { Caller, ServiceCaller, ServiceScope } from './domain/callers';
import { publicProcedure, signedInUser } from './trpc';

/**
 * The service token's account, re-read on every call (a revoked token fails its next call
 * in every process), holding `scope`, or FORBIDDEN. Each call is logged with the service's name.
 */
async function requireService(ctx: Context, scope: ServiceScope, path: string) {
  const token = ctx.serviceToken;
  if (!token) {
    // As everywhere: no (or a bad) token is UNAUTHORIZED; a signed-in user is FORBIDDEN.
    if (!ctx.auth.ok)
      throw new TRPCError({ code: 'UNAUTHORIZED', message: authErrorMessage[ctx.auth.reason] });
    throw new TRPCError({ code: 'FORBIDDEN', message: `${path} is for services only` });
  }
  const service = await ctx.services.serviceTokens.verify(token);
  if (!service) throw new TRPCError({ code: 'UNAUTHORIZED', message: serviceTokenRefused });
  if (!service.scopes.includes(scope)) {
    ctx.services.deps.log('warn', 'service call refused', { service: service.name, path, scope });
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `Service "${service.name}" lacks the "${scope}" scope needed for ${path}`,
    });
  }
  ctx.services.deps.log('info', 'service call', { service: service.name, path });
  return service;
}

/** Only a service holding `scope` may call it (`user.upsert`, `message.sendSystem`). */
export const serviceProcedure = (scope: ServiceScope) =>
  publicProcedure.use(async function isServiceWithScope({ ctx, path, next }) {
    const service: ServiceCaller = await requireService(ctx, scope, path);
    return next({ ctx: { ...ctx, service } });
  });

/**
 * A signed-in user (the procedure applies its v1 rules to them) or a service holding `scope`
 * (acting for any practitioner and client): the booking procedures. `ctx.caller` says which.
 */
export const userOrServiceProcedure = (scope: ServiceScope) =>
  publicProcedure.use(async function isUserOrServiceWithScope({ ctx, path, type, next }) {
    const caller: Caller = ctx.serviceToken
      ? await requireService(ctx, scope, path)
      : (await signedInUser(ctx, type)).user;
    return next({ ctx: { ...ctx, caller } });
  });
