'use client';

import type { Message } from '@estuary/api';
import { useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState } from 'react';
import { conversationName } from '../conversations/display';
import { useConnection, useReachable } from '../lib/connection';
import { useMe } from '../lib/session';
import { trpc } from '../lib/trpc';
import { usePresence } from '../presence/use-presence';
import { Composer } from './composer';
import { ConversationHeader } from './conversation-header';
import { GroupDetails } from './group-details';
import { MessageList } from './message-list';
import { readStatus } from './receipts';
import { typingText } from './typing-text';
import { useRefreshOnSystemMessage } from './use-booking-refresh';
import { useJump } from './use-jump';
import { useMarkRead } from './use-mark-read';
import { useReceipts } from './use-receipts';
import { useTimeline } from './use-timeline';
import { useTypists } from './use-typing';

export function ConversationView({ conversationId }: { conversationId: string }) {
  const me = useMe();
  const conversation = trpc.conversation.get.useQuery({ conversationId });
  const timeline = useTimeline(conversationId);
  const receipts = useReceipts(conversationId);
  const presence = usePresence(conversationId);
  const typists = useTypists(conversationId);
  const connection = useConnection();
  const online = useReachable();
  // The socket dropped, or it is up but the browser says the network is gone.
  const offline = connection.lost || (connection.state === 'open' && !online);
  const onSeen = useMarkRead(conversationId, receipts.get(me.id)?.read ?? 0);
  const { loadOlder } = timeline;
  const load = useCallback(() => void loadOlder(), [loadOlder]);
  const { refetch } = conversation;
  useRefreshOnSystemMessage(
    timeline.messages,
    useCallback(() => void refetch(), [refetch]),
  );
  const [replyingTo, setReplyingTo] = useState<Message | null>(null);
  const [details, setDetails] = useState(false);
  // `?seq=N` (a search hit) opens the conversation at that message.
  const startSeq = Number(useSearchParams().get('seq')) || null;
  const jump = useJump(timeline, startSeq, Boolean(conversation.data));
  const participants = conversation.data?.participants;
  const nameOf = useMemo(() => {
    const names = new Map((participants ?? []).map((p) => [p.userId, p.name]));
    return (userId: string) => names.get(userId) ?? 'Someone who left';
  }, [participants]);

  const error = conversation.error?.message ?? timeline.error;
  if (error) {
    return (
      <section className="chat chat-empty">
        <p role="alert">This conversation could not be opened: {error}</p>
      </section>
    );
  }
  if (!conversation.data || timeline.loading) {
    return (
      <section className="chat chat-empty" aria-busy="true">
        <p>Loading conversation…</p>
      </section>
    );
  }
  const name = conversationName(conversation.data, me.id);
  return (
    <section className="chat" aria-label={`Conversation with ${name}`}>
      <ConversationHeader conversation={conversation.data} meId={me.id} presence={presence} />
      {conversation.data.kind === 'group' && (
        <button
          type="button"
          className="quiet group-details-toggle"
          aria-expanded={details}
          onClick={() => setDetails((d) => !d)}
        >
          {details ? 'Hide group details' : 'Group details'}
        </button>
      )}
      {details && conversation.data.kind === 'group' && (
        <GroupDetails conversation={conversation.data} meId={me.id} />
      )}
      <MessageList
        label={`Messages with ${name}`}
        meId={me.id}
        messages={timeline.messages}
        pending={timeline.pending}
        online={online}
        statusOf={readStatus(conversation.data, me.id, receipts)}
        onChanged={timeline.apply}
        onSeen={onSeen}
        older={{ has: timeline.hasOlder, loading: timeline.loadingOlder, load }}
        nameOf={nameOf}
        onReply={setReplyingTo}
        onJump={jump.to}
        highlightSeq={jump.highlighted}
      />
      {jump.missing && (
        <p role="status" className="muted pad">
          That message is no longer in this conversation.
        </p>
      )}
      <p className="typing" aria-live="polite">
        {typingText(typists)}
      </p>
      {offline && (
        <p className="offline-note">
          You are offline. You can keep writing: messages are sent when the connection is back.
        </p>
      )}
      <Composer
        conversationId={conversationId}
        replyTo={replyingTo}
        onReplyDone={() => setReplyingTo(null)}
      />
    </section>
  );
}
