'use client';

import { useState } from 'react';
import { clearOutbox } from '../chat/outbox-storage';
import { useCloseConnection } from '../lib/connection';
import { useMe } from '../lib/session';
import { forgetAccessToken } from '../lib/token';

export function SignOutButton() {
  const closeSocket = useCloseConnection();
  const [busy, setBusy] = useState(false);
  const userId = useMe().id;

  async function signOut() {
    setBusy(true);
    // Close the socket first, so the server sees this user go offline right away.
    await closeSocket().catch(() => {});
    await fetch('/api/session', { method: 'DELETE' }).catch(() => {});
    forgetAccessToken();
    // Unsent messages of this user must not wait on a shared computer for the next one.
    clearOutbox(userId);
    // A full load drops every cache of the signed-out user.
    window.location.assign('/login');
  }

  return (
    <button type="button" className="quiet" onClick={signOut} disabled={busy}>
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
