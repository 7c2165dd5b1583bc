import { z } from 'zod';
import { cancelBooking, createBooking, listBookings, rescheduleBooking } from '../domain/bookings';
import { userOrServiceProcedure } from '../service-procedures';
import { protectedProcedure, router } from '../trpc';

export const bookingRouter = router({
  create: userOrServiceProcedure('bookings')
    .input(
      z
        .object({
          practitionerId: z.uuid(),
          clientId: z.uuid(),
          startsAt: z.coerce.date(),
          endsAt: z.coerce.date(),
        })
        .refine((b) => b.endsAt > b.startsAt, {
          message: 'endsAt must be after startsAt',
          path: ['endsAt'],
        }),
    )
    .mutation(({ ctx, input }) => createBooking(ctx.db, ctx.caller, input)),

  list: protectedProcedure.query(({ ctx }) => listBookings(ctx.db, ctx.user.id)),

  cancel: userOrServiceProcedure('bookings')
    .input(z.object({ bookingId: z.uuid() }))
    .mutation(({ ctx, input }) => cancelBooking(ctx.deps, ctx.caller, input.bookingId)),

  reschedule: userOrServiceProcedure('bookings')
    .input(
      z
        .object({ bookingId: z.uuid(), startsAt: z.coerce.date(), endsAt: z.coerce.date() })
        .refine((b) => b.endsAt > b.startsAt, {
          message: 'endsAt must be after startsAt',
          path: ['endsAt'],
        }),
    )
    .mutation(({ ctx, input }) => rescheduleBooking(ctx.deps, ctx.caller, input)),
});
