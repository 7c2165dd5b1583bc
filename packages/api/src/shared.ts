// Constants that clients need, importable without the server code: `@estuary/api/shared`.

/**
 * Why a stale `lastEventId` was refused (`error.data.reason`). Clients look for it to know
 * they must refetch history instead of resuming.
 */
export const STALE_EVENT_ID = 'STALE_EVENT_ID';
