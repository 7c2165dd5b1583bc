'use client';

import { useConversations } from '../conversations/conversations-context';
import { trpc } from '../lib/trpc';

/** Mute per conversation: no pushes or unread webhooks for it; the unread badge stays. */
export function MuteButton({ conversationId }: { conversationId: string }) {
  const muted = useConversations().items.find((c) => c.id === conversationId)?.muted ?? false;
  const setMuted = trpc.conversation.setMuted.useMutation();
  return (
    <button
      type="button"
      className="link-button mute"
      aria-pressed={muted}
      disabled={setMuted.isPending}
      onClick={() => setMuted.mutate({ conversationId, muted: !muted })}
    >
      {muted ? 'Unmute' : 'Mute'}
      {setMuted.error && <span role="alert"> (could not change: {setMuted.error.message})</span>}
    </button>
  );
}
