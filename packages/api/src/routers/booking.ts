import { z } from 'zod';
import { cancelBooking, createBooking, listBookings } from '../domain/bookings';
import { protectedProcedure, router } from '../trpc';

export const bookingRouter = router({
  create: protectedProcedure
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
    .mutation(({ ctx, input }) => createBooking(ctx.services.deps.db, ctx.user, input)),

  list: protectedProcedure.query(({ ctx }) => listBookings(ctx.services.deps.db, ctx.user.id)),

  cancel: protectedProcedure
    .input(z.object({ bookingId: z.uuid() }))
    .mutation(({ ctx, input }) => cancelBooking(ctx.services.deps.db, ctx.user, input.bookingId)),
});
