import type { User } from './types';

/** The scopes a service token may hold (API.md v2, "platform"). */
export const SERVICE_SCOPES = ['users', 'bookings', 'system-messages'] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

/** An internal service calling the router with a service token. */
export interface ServiceCaller {
  kind: 'service';
  id: string;
  name: string;
  scopes: ServiceScope[];
}

/** Who a booking procedure acts for: one of the booking's people, or a service acting for both. */
export type Caller = User | ServiceCaller;

export const isService = (caller: Caller): caller is ServiceCaller =>
  'kind' in caller && caller.kind === 'service';
