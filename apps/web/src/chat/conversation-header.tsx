'use client';

import type { Conversation, PresenceState } from '@estuary/api';
import Link from 'next/link';
import { conversationName, counterpart, othersIn, roleLabel } from '../conversations/display';
import { formatSessionRange } from '../lib/format';
import { PresenceLabel } from '../presence/presence-label';
import { MuteButton } from './mute-button';

interface Props {
  conversation: Conversation;
  meId: string;
  presence: Map<string, PresenceState>;
}

export function ConversationHeader({ conversation, meId, presence }: Props) {
  const other = counterpart(conversation, meId);
  const { booking } = conversation;
  const online = othersIn(conversation, meId).filter(
    (p) => presence.get(p.userId)?.status === 'online',
  ).length;
  return (
    <header className="chat-header">
      <Link href="/conversations" className="back">
        <span aria-hidden="true">←</span> All conversations
      </Link>
      <div className="chat-title">
        <h1>{conversationName(conversation, meId)}</h1>
        <p className="subtitle">
          {other ? (
            <>
              <span>{roleLabel(other.role)}</span>
              <PresenceLabel presence={presence.get(other.userId)} />
            </>
          ) : (
            <span>
              {conversation.participants.length} people, {online} online
            </span>
          )}
        </p>
        {booking && (
          <p className={booking.status === 'cancelled' ? 'session cancelled' : 'session'}>
            Session: {formatSessionRange(booking.startsAt, booking.endsAt)}
            {booking.status === 'cancelled' && ' (cancelled)'}
          </p>
        )}
      </div>
      <MuteButton conversationId={conversation.id} />
    </header>
  );
}
