// The one bounded queue lives in @estuary/realtime (the bus's subscribe uses it too); the
// live streams know it by this name.
export { BoundedQueue as LiveQueue, CLOSED, RESYNC } from '@estuary/realtime';
