'use client';

import type { Message } from '@estuary/api';
import { Fragment, useCallback, useEffect, useRef } from 'react';
import { formatDay } from '../lib/format';
import { MessageItem } from './message-item';
import type { OutboxEntry } from './outbox';
import { useOutbox } from './outbox-context';
import { PendingItem } from './pending-item';
import { SystemNotice } from './system-notice';
import { lastVisibleSeq, useChatScroll } from './use-chat-scroll';

interface Props {
  label: string;
  meId: string;
  messages: Message[];
  pending: OutboxEntry[];
  online: boolean;
  statusOf(message: Message): string | null;
  onChanged(message: Message): void;
  /** Called with the highest seq on screen, to mark it read. */
  onSeen(seq: number): void;
  older: { has: boolean; loading: boolean; load(): void };
  /** v2: reactions and replies (see MessageItem). */
  nameOf?(userId: string): string;
  onReply?(message: Message): void;
  onJump?(seq: number): void;
  highlightSeq?: number | null;
}

const dayKey = (date: Date) => date.toDateString();
const GROUP_MS = 5 * 60_000;

/** Whether `message` continues a run of the same sender's messages. */
function continues(message: Message, previous: Message | undefined): boolean {
  if (!previous || previous.senderId !== message.senderId) return false;
  const gap = message.createdAt.getTime() - previous.createdAt.getTime();
  return gap < GROUP_MS && dayKey(previous.createdAt) === dayKey(message.createdAt);
}

export function MessageList(props: Props) {
  const { label, meId, messages, pending, online, statusOf, onChanged, onSeen, older } = props;
  const { nameOf, onReply, onJump, highlightSeq } = props;
  const { retry, discard } = useOutbox();
  const log = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLLIElement>(null);
  const lastMessage = messages.at(-1);
  const { onScroll, unseen, toBottom } = useChatScroll(log, {
    first: messages[0]?.id,
    last: pending.at(-1)?.clientId ?? lastMessage?.id,
    lastIsMine: pending.length > 0 || lastMessage?.senderId === meId,
  });

  const report = useCallback(() => {
    if (log.current) onSeen(lastVisibleSeq(log.current));
  }, [onSeen]);
  // New rows may be on screen without any scrolling: check whenever the end moves.
  const newest = lastMessage?.seq;
  useEffect(() => {
    if (newest !== undefined) report();
  }, [report, newest]);

  // Reaching the top loads the page before; the button does the same for keyboards.
  const { has, loading, load } = older;
  useEffect(() => {
    const sentinel = top.current;
    if (!sentinel || !has) return;
    const observer = new IntersectionObserver(
      ([entry]) => {
        if (entry?.isIntersecting && !loading) load();
      },
      { root: log.current, rootMargin: '200px 0px 0px 0px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [has, loading, load]);

  return (
    <div className="log-wrap">
      <div
        ref={log}
        className="log"
        role="log"
        aria-label={label}
        aria-live="polite"
        aria-busy={loading}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, so keyboards must reach it
        tabIndex={0}
        onScroll={() => {
          onScroll();
          report();
        }}
      >
        <ol className="messages">
          <li ref={top} className="log-start">
            {has ? (
              <button type="button" className="quiet" disabled={loading} onClick={() => load()}>
                {loading ? 'Loading earlier messages…' : 'Load earlier messages'}
              </button>
            ) : (
              <span>This is the start of your conversation.</span>
            )}
          </li>
          {messages.map((message, i) => (
            <Fragment key={message.id}>
              {dayKey(message.createdAt) !== dayKey(messages[i - 1]?.createdAt ?? new Date(0)) && (
                <li className="day" aria-hidden="true">
                  {formatDay(message.createdAt)}
                </li>
              )}
              {message.kind === 'system' ? (
                <SystemNotice message={message} />
              ) : (
                <MessageItem
                  message={message}
                  mine={message.senderId === meId}
                  continued={continues(message, messages[i - 1])}
                  status={message.senderId === meId ? statusOf(message) : null}
                  onChanged={onChanged}
                  meId={meId}
                  nameOf={nameOf}
                  onReply={onReply}
                  onJump={onJump}
                  highlighted={message.seq === highlightSeq}
                />
              )}
            </Fragment>
          ))}
          {pending.map((entry) => (
            <PendingItem
              key={entry.clientId}
              entry={entry}
              online={online}
              onRetry={retry}
              onDiscard={discard}
            />
          ))}
        </ol>
      </div>
      {unseen > 0 && (
        <button type="button" className="new-messages" onClick={toBottom}>
          New messages <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
