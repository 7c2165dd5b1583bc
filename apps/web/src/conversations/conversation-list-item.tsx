'use client';

import type { ConversationSummary } from '@estuary/api';
import Link from 'next/link';
import { formatSession, formatTime } from '../lib/format';
import { PresenceDot } from '../presence/presence-label';
import { usePresence } from '../presence/use-presence';
import { conversationName, counterpart, othersIn, roleLabel } from './display';

interface Props {
  summary: ConversationSummary;
  meId: string;
  active: boolean;
  /** Follow presence live (first page of the list) or poll it. */
  live: boolean;
}

function preview(summary: ConversationSummary, meId: string): string {
  const last = summary.lastMessage;
  if (!last) return 'No messages yet';
  const who = last.senderId === meId ? 'You: ' : '';
  return last.deletedAt ? `${who}Message deleted` : `${who}${last.content}`;
}

/**
 * One row of the list. The link holds only the name, so it is announced as such; the rest
 * of the card is made clickable by stretching the link over it in CSS.
 */
export function ConversationListItem({ summary, meId, active, live }: Props) {
  const presence = usePresence(summary.id, { live });
  const other = counterpart(summary, meId);
  const online = othersIn(summary, meId).some((p) => presence.get(p.userId)?.status === 'online');
  const name = conversationName(summary, meId);
  const last = summary.lastMessage;
  return (
    <li className={active ? 'conversation active' : 'conversation'}>
      <PresenceDot online={online} />
      <div className="conversation-body">
        <div className="conversation-top">
          <Link
            href={`/conversations/${summary.id}`}
            className="stretched"
            aria-current={active ? 'page' : undefined}
          >
            {name}
          </Link>
          {last && (
            <time dateTime={last.createdAt.toISOString()} className="muted">
              {formatTime(last.createdAt)}
            </time>
          )}
        </div>
        <p className="muted small">
          {other ? roleLabel(other.role) : `${summary.participants.length} people`}
          {summary.booking && <> · Session {formatSession(summary.booking.startsAt)}</>}
        </p>
        <p className={summary.unreadCount > 0 ? 'preview unread' : 'preview'}>
          {preview(summary, meId)}
        </p>
      </div>
      {summary.unreadCount > 0 && (
        <span className="badge">
          {summary.unreadCount}
          <span className="visually-hidden"> unread</span>
        </span>
      )}
    </li>
  );
}
