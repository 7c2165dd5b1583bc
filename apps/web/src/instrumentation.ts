// Runs once when the server starts (https://nextjs.org/docs/app/guides/instrumentation).
export async function register() {
  // NEXT_RUNTIME is a build-time constant, not configuration: written out like this, Next
  // drops the Node-only import from the edge bundle.
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./server/startup');
}
