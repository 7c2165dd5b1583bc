'use client';

import type { Attachment } from '@estuary/api';
import { useState } from 'react';
import { trpc } from '../lib/trpc';
import { formatSize } from './put-file';

/**
 * A message's files: images as thumbnails (opening the full size), audio and video that
 * play in place, anything else as a card. URLs expire; when one fails to load, a fresh one
 * is fetched once.
 */
export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <ul className="attachments">
      {attachments.map((a) => (
        <li key={a.id}>
          <AttachmentView attachment={a} />
        </li>
      ))}
    </ul>
  );
}

function AttachmentView({ attachment }: { attachment: Attachment }) {
  const [current, setCurrent] = useState(attachment);
  const [refreshed, setRefreshed] = useState(false);
  const utils = trpc.useUtils();
  const refresh = () => {
    if (refreshed) return;
    setRefreshed(true);
    utils.attachment.get
      .fetch({ attachmentId: attachment.id })
      .then(setCurrent)
      .catch(() => {});
  };
  const { contentType, name } = current;
  if (contentType.startsWith('image/')) {
    return (
      <a className="attachment-image" href={current.url} target="_blank" rel="noopener noreferrer">
        {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs; next/image would cache and re-sign them */}
        <img
          src={current.thumbnailUrl ?? current.url}
          alt={name}
          // The space is kept before it loads, so the log does not jump (or miss its bottom).
          {...displaySize(current)}
          onError={refresh}
        />
      </a>
    );
  }
  if (contentType.startsWith('audio/')) {
    return (
      <figure className="attachment-media">
        {/* biome-ignore lint/a11y/useMediaCaption: user recordings come without captions */}
        <audio controls preload="metadata" src={current.url} onError={refresh} />
        <figcaption>{name}</figcaption>
      </figure>
    );
  }
  if (contentType.startsWith('video/')) {
    return (
      <figure className="attachment-media">
        {/* biome-ignore lint/a11y/useMediaCaption: user recordings come without captions */}
        <video controls preload="metadata" src={current.url} onError={refresh} />
        <figcaption>{name}</figcaption>
      </figure>
    );
  }
  return (
    <a className="attachment-card" href={current.url} download={name} data-attachment-card>
      <span className="attachment-name">{name}</span>
      <span className="attachment-meta">
        {describeType(contentType)} · {formatSize(current.size)}
      </span>
    </a>
  );
}

const describeType = (type: string) =>
  type === 'application/pdf'
    ? 'PDF'
    : type.startsWith('text/')
      ? 'Text'
      : (type.split('/')[1] ?? type).slice(0, 24);

/** The thumbnail's box: at most 240 px wide and 240 px high, in the image's proportions. */
function displaySize({ width, height }: Attachment) {
  if (!width || !height) return {};
  const scale = Math.min(1, 240 / width, 240 / height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}
