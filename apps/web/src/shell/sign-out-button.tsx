'use client';

import { useState } from 'react';
import { clearHeldFiles } from '../attachments/held-files';
import { clearOutbox } from '../chat/outbox-storage';
import { useCloseConnection } from '../lib/connection';
import { useMe } from '../lib/session';
import { forgetAccessToken } from '../lib/token';

export function SignOutButton() {
  const closeSocket = useCloseConnection();
  const [busy, setBusy] = useState<false | 'here' | 'everywhere'>(false);
  const userId = useMe().id;

  async function signOut(everywhere: boolean) {
    setBusy(everywhere ? 'everywhere' : 'here');
    // Close the socket first, so the server sees this user go offline right away.
    await closeSocket().catch(() => {});
    // Revokes the session server-side (every session of this user with `everywhere`).
    await fetch(everywhere ? '/api/session?everywhere=1' : '/api/session', {
      method: 'DELETE',
    }).catch(() => {});
    forgetAccessToken();
    // Unsent messages of this user must not wait on a shared computer for the next one.
    clearOutbox(userId);
    await clearHeldFiles();
    // A full load drops every cache of the signed-out user.
    window.location.assign('/login');
  }

  return (
    <>
      <button type="button" className="quiet" onClick={() => signOut(false)} disabled={!!busy}>
        {busy === 'here' ? 'Signing out…' : 'Sign out'}
      </button>
      <button
        type="button"
        className="quiet"
        onClick={() => signOut(true)}
        disabled={!!busy}
        title="Ends every session of this account, on every device"
      >
        {busy === 'everywhere' ? 'Signing out…' : 'Sign out everywhere'}
      </button>
    </>
  );
}
