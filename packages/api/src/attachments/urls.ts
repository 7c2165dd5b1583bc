import type { Attachment } from '../domain/types';
import { URL_TTL_SECONDS, type UrlSigner } from './signing';

/** An attachment as the message queries return it (see `ATTACHMENTS_JSON`): no URLs yet. */
export interface StoredAttachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
}

/**
 * `Message.attachments` for the message queries: a json array per row, in send order, empty
 * once the message is deleted. Appended to each message column list.
 */
export const ATTACHMENTS_JSON = `coalesce((
    select json_agg(json_build_object(
      'id', a.id, 'name', a.name, 'contentType', a.content_type, 'size', a.size,
      'width', a.width, 'height', a.height, 'thumbnail', a.thumbnail_key is not null
    ) order by a.position)
    from attachments a where a.message_id = m.id and m.deleted_at is null), '[]'::json) as "attachments"`;

// Messages are mapped in many places that hold no services (summaries, replay, the send
// batcher), and every process signs with the one auth secret, so the signer is per process.
let current: UrlSigner | null = null;

export function useAttachmentSigner(signer: UrlSigner) {
  current = signer;
}

export function toAttachment(stored: StoredAttachment): Attachment {
  const exp = current?.expiry(URL_TTL_SECONDS);
  const url = (purpose: 'file' | 'thumb') =>
    current ? current.url(purpose, stored.id, exp) : `/api/attachments/${stored.id}/${purpose}`;
  return {
    id: stored.id,
    name: stored.name,
    contentType: stored.contentType,
    size: Number(stored.size),
    width: stored.width ?? null,
    height: stored.height ?? null,
    url: url('file'),
    thumbnailUrl: stored.thumbnail ? url('thumb') : null,
  };
}
