'use client';

import { useCallback } from 'react';
import { conversationName } from '../conversations/describe';
import { useConnection } from '../lib/connection';
import { useMe } from '../lib/session';
import { trpc } from '../lib/trpc';
import { usePresence } from '../presence/use-presence';
import { Composer } from './composer';
import { ConversationHeader } from './conversation-header';
import { MessageList } from './message-list';
import { readStatus } from './receipts';
import { typingText } from './typing-text';
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
  const online = connection.state === 'open';
  const onSeen = useMarkRead(conversationId, receipts.get(me.id)?.read ?? 0);
  const { loadOlder } = timeline;
  const load = useCallback(() => void loadOlder(), [loadOlder]);

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
      />
      <p className="typing" aria-live="polite">
        {typingText(typists)}
      </p>
      {connection.lost && (
        <p className="offline-note">
          You are offline. You can keep writing: messages are sent when the connection is back.
        </p>
      )}
      <Composer conversationId={conversationId} />
    </section>
  );
}
