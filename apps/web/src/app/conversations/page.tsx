'use client';

import { trpc } from '../../lib/trpc';

export default function ConversationsPage() {
  const me = trpc.auth.me.useQuery();
  if (me.isPending) return <p>Loading…</p>;
  if (me.error) return <p role="alert">{me.error.message}</p>;
  return (
    <main>
      <p>
        Signed in as <strong>{me.data.name}</strong> ({me.data.role})
      </p>
    </main>
  );
}
