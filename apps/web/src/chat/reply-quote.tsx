'use client';

import type { Message } from '@estuary/api';

type Quote = NonNullable<Message['replyTo']>;

/** The quoted message inside a reply; a click jumps to the original. */
export function ReplyQuote({ quote, onJump }: { quote: Quote; onJump(seq: number): void }) {
  return (
    <button
      type="button"
      className="reply-quote"
      aria-label={`Reply to ${quote.senderName}: ${quote.deleted ? 'deleted message' : quote.excerpt}. Show the original.`}
      onClick={() => onJump(quote.seq)}
    >
      <span className="quote-sender">{quote.senderName}</span>
      <span className="quote-excerpt">{quote.deleted ? 'Message deleted' : quote.excerpt}</span>
    </button>
  );
}

/** Above the composer while writing a reply. */
export function ReplyingTo({ message, onCancel }: { message: Message; onCancel(): void }) {
  return (
    <div className="replying-to">
      <div>
        <span className="quote-sender">Replying to {message.senderName}</span>
        <span className="quote-excerpt">{message.content.slice(0, 140)}</span>
      </div>
      <button type="button" className="link" onClick={onCancel} aria-label="Cancel reply">
        Cancel
      </button>
    </div>
  );
}
