// Constants that clients need, importable without the server code: `@estuary/api/client-constants`.

/**
 * Why a stale `lastEventId` was refused (`error.data.reason`). Clients look for it to know
 * they must refetch history instead of resuming.
 */
export const STALE_EVENT_ID = 'STALE_EVENT_ID';

/**
 * The most calls one HTTP request may batch. Servers refuse more (so a request cannot carry
 * dozens of password guesses); clients split their batches to fit (`maxItems`).
 */
export const HTTP_MAX_BATCH = 10;
