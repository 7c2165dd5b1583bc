'use client';

import type { PresenceState } from '@estuary/api';
import { formatAgo, formatFull } from '../lib/format';
import { useNow } from '../lib/use-now';

/** "Online", or "last seen 5 min. ago" (kept fresh), or nothing when we know nothing. */
export function PresenceLabel({ presence }: { presence: PresenceState | undefined }) {
  const now = useNow(30_000);
  if (!presence) return null;
  if (presence.status === 'online') {
    return (
      <span className="presence presence-online">
        <span className="dot" aria-hidden="true" />
        Online
      </span>
    );
  }
  if (!presence.lastSeenAt) return <span className="presence">Offline</span>;
  return (
    <span className="presence">
      last seen{' '}
      <time dateTime={presence.lastSeenAt.toISOString()} title={formatFull(presence.lastSeenAt)}>
        {formatAgo(presence.lastSeenAt, now)}
      </time>
    </span>
  );
}

/** The small dot on a conversation in the list. */
export function PresenceDot({ online }: { online: boolean }) {
  return (
    <span
      className={online ? 'avatar-dot online' : 'avatar-dot'}
      role="img"
      aria-label={online ? 'Online' : 'Offline'}
    />
  );
}
