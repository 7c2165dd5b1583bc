'use client';

/** A page that failed to render offers a way back instead of a blank screen. */
export default function SignedInError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <div className="page" role="alert">
      <h1>Something went wrong</h1>
      <p className="muted">{error.message || 'The page could not be shown.'}</p>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </p>
    </div>
  );
}
