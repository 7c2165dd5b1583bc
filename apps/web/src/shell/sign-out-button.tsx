'use client';

import { useState } from 'react';
import { useCloseConnection } from '../lib/connection';
import { forgetAccessToken } from '../lib/token';

export function SignOutButton() {
  const closeSocket = useCloseConnection();
  const [busy, setBusy] = useState(false);

  async function signOut() {
    setBusy(true);
    // Close the socket first, so the server sees this user go offline right away.
    await closeSocket().catch(() => {});
    await fetch('/api/session', { method: 'DELETE' }).catch(() => {});
    forgetAccessToken();
    // A full load drops every cache of the signed-out user.
    window.location.assign('/login');
  }

  return (
    <button type="button" className="quiet" onClick={signOut} disabled={busy}>
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
