'use client';

import { useConnection, useReachable } from '../lib/connection';
import { useNow } from '../lib/use-now';

/**
 * The state of the live connection, announced politely when it changes: "Connected", or
 * "Reconnecting" with when the next attempt is due, or "Offline" when the browser has no
 * network (a socket may stay up a while after it is gone).
 */
export function ConnectionStatus() {
  const { state, lost, retryAt } = useConnection();
  const reachable = useReachable();
  const now = useNow(1_000);
  let text = 'Connecting…';
  let tone = 'pending';
  if (state === 'open' && !reachable) {
    text = 'Offline';
    tone = 'down';
  } else if (state === 'open') {
    text = 'Connected';
    tone = 'ok';
  } else if (lost) {
    tone = 'down';
    const seconds = retryAt ? Math.ceil((retryAt - now) / 1000) : 0;
    text = retryAt && seconds > 0 ? `Reconnecting, next try in ${seconds} s` : 'Reconnecting…';
  }
  return (
    <div role="status" aria-label="Connection" className={`connection ${tone}`}>
      <span className="dot" aria-hidden="true" />
      <span>{text}</span>
    </div>
  );
}
