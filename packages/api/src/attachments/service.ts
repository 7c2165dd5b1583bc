import { schema } from '@estuary/db';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { requireParticipant } from '../domain/conversations';
import { badRequest, ChatError, notFound } from '../domain/errors';
import type { Attachment, User } from '../domain/types';
import { createStore } from './create-store';
import type { AttachmentConfig } from './env';
import { servedImageType } from './images';
import { cleanName, contentDisposition, downloadHeaders } from './names';
import { partialHeaders, requestedRange } from './ranges';
import type { UrlPurpose, UrlSigner } from './signing';
import { type AttachmentStore, type LocalStore, UploadTooLarge } from './store';
import { allowedType, isImage } from './types';
import { toAttachment } from './urls';
import { type AttachmentRow, keys, prepareImage, verifyUpload } from './verify';

/** How long a send waits for image previews before going out without them. */
const SEND_IMAGE_BUDGET_MS = 2_000;
export const ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;

export interface UploadTarget {
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: Date;
}

const stored = (row: AttachmentRow): Attachment =>
  toAttachment({ ...row, thumbnail: row.thumbnailKey !== null });

const plain = (status: number, message: string) =>
  new Response(message, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });

/** Attachments: uploads, the checks a send makes, downloads, and clean-up. */
export class AttachmentService {
  private storePromise: Promise<AttachmentStore> | undefined;
  /** Image work under way in this process, so a send and a download share it. */
  private readonly images = new Map<string, Promise<AttachmentRow>>();

  constructor(
    private readonly deps: Deps,
    readonly config: AttachmentConfig,
    readonly signer: UrlSigner,
  ) {}

  store(): Promise<AttachmentStore> {
    this.storePromise ??= createStore(this.config.store);
    return this.storePromise;
  }

  async createUpload(
    user: User,
    input: { conversationId: string; name: string; contentType: string; size: number },
  ): Promise<{ attachment: Attachment; upload: UploadTarget }> {
    await requireParticipant(this.deps.db, input.conversationId, user.id);
    if (input.size > this.config.maxBytes) {
      throw new ChatError(
        'PAYLOAD_TOO_LARGE',
        `Files may be at most ${this.config.maxBytes} bytes; this one is ${input.size}`,
      );
    }
    const contentType = input.contentType.toLowerCase().split(';')[0]?.trim() ?? '';
    if (!allowedType(this.config.types, contentType)) {
      throw badRequest(`Files of type ${contentType || 'unknown'} are not allowed`);
    }
    const id = crypto.randomUUID();
    const storageKey = keys({ conversationId: input.conversationId, id }).original;
    const [row] = await this.deps.db
      .insert(schema.attachments)
      .values({
        id,
        conversationId: input.conversationId,
        createdBy: user.id,
        name: cleanName(input.name),
        contentType,
        size: input.size,
        storageKey,
      })
      .returning();
    if (!row) throw new Error('attachment insert returned nothing');
    const exp = this.signer.expiry();
    const store = await this.store();
    const presigned = await store.presignPut(
      storageKey,
      contentType,
      input.size,
      exp - Math.floor(this.signer.now() / 1000),
    );
    return {
      attachment: stored(row),
      upload: {
        url: presigned ?? this.signer.url('upload', id, exp),
        method: 'PUT',
        headers: { 'Content-Type': contentType },
        expiresAt: new Date(exp * 1000),
      },
    };
  }

  /** Fresh URLs, for members of the conversation, once the attachment is on a message (or is the caller's own upload). */
  async get(user: User, attachmentId: string): Promise<Attachment> {
    const row = await this.row(attachmentId);
    if (!row) throw notFound('Attachment');
    await requireParticipant(this.deps.db, row.conversationId, user.id);
    if (row.messageId === null && row.createdBy !== user.id) throw notFound('Attachment');
    return stored(row);
  }

  /**
   * Everything `message.send` checks before it writes: each attachment is the sender's, for
   * this conversation, on no message yet, and uploaded as declared. Images get their
   * previews within a short budget; past it the send goes on and they follow.
   */
  async checkForSend(sender: User, conversationId: string, ids: string[]): Promise<Attachment[]> {
    if (new Set(ids).size !== ids.length) throw badRequest('An attachment is listed twice');
    const rows = await this.deps.db
      .select()
      .from(schema.attachments)
      .where(inArray(schema.attachments.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const store = await this.store();
    const checked: AttachmentRow[] = [];
    for (const id of ids) {
      let row = byId.get(id);
      if (!row || row.createdBy !== sender.id || row.conversationId !== conversationId) {
        throw badRequest(`Attachment ${id} was not uploaded by you for this conversation`);
      }
      if (row.messageId !== null) throw badRequest(`Attachment ${id} is already on a message`);
      if (!row.verifiedAt) row = await verifyUpload(this.deps, store, row);
      checked.push(row);
    }
    const ready = await Promise.all(
      checked.map(async (row) => {
        if (!isImage(row.contentType) || row.servedKey) return row;
        const work = this.prepareImage(row);
        const timeout = new Promise<null>((r) =>
          setTimeout(() => r(null), SEND_IMAGE_BUDGET_MS).unref(),
        );
        return (await Promise.race([work, timeout])) ?? row;
      }),
    );
    return ready.map(stored);
  }

  private prepareImage(row: AttachmentRow): Promise<AttachmentRow> {
    const running = this.images.get(row.id);
    if (running) return running;
    const work = this.store()
      .then((store) => prepareImage(this.deps, store, row))
      .finally(() => this.images.delete(row.id));
    this.images.set(row.id, work);
    // A send that stopped waiting must not leave the failure unhandled.
    work.catch((error) =>
      this.deps.log('warn', 'image preparation failed', { id: row.id, error: String(error) }),
    );
    return work;
  }

  /** apps/web's PUT for local storage: streams to disk, then checks at once. */
  async acceptUpload(
    id: string,
    url: URL,
    body: ReadableStream<Uint8Array> | null,
    length: number | null,
  ) {
    const verdict = this.signer.verify(
      'upload',
      id,
      url.searchParams.get('exp'),
      url.searchParams.get('sig'),
    );
    if (verdict !== 'ok') return plain(403, `Upload URL ${verdict}`);
    const store = await this.store();
    if (store.kind !== 'local') return plain(404, 'Uploads go to the object store');
    const row = await this.row(id);
    if (!row) return plain(404, 'No such upload');
    if (row.verifiedAt || row.messageId) return plain(409, 'Already uploaded');
    if (length !== null && length > row.size) return plain(413, `At most ${row.size} bytes`);
    if (!body) return plain(400, 'No body');
    try {
      await (store as LocalStore).writeStream(row.storageKey, body, row.size);
      const verified = await verifyUpload(this.deps, store, row);
      if (isImage(verified.contentType)) await this.prepareImage(verified);
    } catch (error) {
      if (error instanceof UploadTooLarge) return plain(413, `At most ${row.size} bytes`);
      if (error instanceof ChatError) return plain(422, error.message);
      throw error;
    }
    return new Response(null, { status: 204 });
  }

  /**
   * apps/web's GET: our own bytes for local storage (one byte range when asked, for seeking
   * in audio and video), a redirect to a presigned GET for S3 (which answers ranges itself).
   */
  async download(
    id: string,
    purpose: UrlPurpose,
    url: URL,
    headers: { range: string | null; ifRange: string | null } = { range: null, ifRange: null },
  ): Promise<Response> {
    if (purpose === 'upload') return plain(405, 'Use PUT');
    const verdict = this.signer.verify(
      purpose,
      id,
      url.searchParams.get('exp'),
      url.searchParams.get('sig'),
    );
    if (verdict !== 'ok') return plain(403, `Download URL ${verdict}`);
    let row = await this.row(id);
    if (!row?.verifiedAt) return plain(404, 'No such file');
    if (isImage(row.contentType) && !row.servedKey) {
      try {
        row = await this.prepareImage(row);
      } catch {
        return plain(422, 'This image could not be read');
      }
    }
    const key = purpose === 'thumb' ? row.thumbnailKey : row.servedKey;
    if (!key) return plain(404, 'No such file');
    const type =
      purpose === 'thumb'
        ? 'image/webp'
        : isImage(row.contentType)
          ? servedImageType(row.contentType)
          : row.contentType;
    const store = await this.store();
    const presigned = await store.presignGet(
      key,
      { contentType: type, disposition: contentDisposition(row.name, type) },
      600,
    );
    if (presigned) {
      return new Response(null, {
        status: 302,
        headers: {
          Location: presigned,
          'Cache-Control': 'no-store',
          'Referrer-Policy': 'no-referrer',
        },
      });
    }
    const size = await store.size(key);
    if (size === null || !store.stream) return plain(404, 'No such file');
    const served = downloadHeaders(row.name, type, size);
    const range = requestedRange(size, headers.range, headers.ifRange);
    if (range === 'unsatisfiable') {
      return new Response(null, {
        status: 416,
        headers: { ...served, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' },
      });
    }
    const { Readable } = await import('node:stream');
    const part = range === 'whole' ? undefined : range;
    const body = Readable.toWeb(store.stream(key, part)) as ReadableStream<Uint8Array>;
    if (!part) return new Response(body, { status: 200, headers: served });
    return new Response(body, {
      status: 206,
      headers: { ...served, ...partialHeaders(part, size) },
    });
  }

  /** Deleting a message deletes its files. */
  async removeForMessage(messageId: string) {
    await this.removeWhere(eq(schema.attachments.messageId, messageId));
  }

  /**
   * Uploads never sent within `maxAgeMs`, and files whose message was deleted (should a
   * delete have failed to clean up), go. Returns how many.
   */
  async sweep(maxAgeMs = ORPHAN_AGE_MS): Promise<number> {
    const a = schema.attachments;
    return this.removeWhere(
      or(
        and(isNull(a.messageId), lt(a.createdAt, new Date(this.signer.now() - maxAgeMs))),
        sql`exists (select 1 from messages m where m.id = ${a.messageId} and m.deleted_at is not null)`,
      ),
    );
  }

  private async removeWhere(where: ReturnType<typeof or>) {
    const rows = await this.deps.db.select().from(schema.attachments).where(where).limit(1000);
    if (rows.length === 0) return 0;
    const store = await this.store();
    const objectKeys = rows.flatMap((r) => [r.storageKey, ...Object.values(keys(r))]);
    // Bytes first: a row left behind is swept again, an object left behind would leak.
    await store.remove([...new Set(objectKeys)]);
    await this.deps.db.delete(schema.attachments).where(
      inArray(
        schema.attachments.id,
        rows.map((r) => r.id),
      ),
    );
    return rows.length;
  }

  private async row(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const [row] = await this.deps.db
      .select()
      .from(schema.attachments)
      .where(eq(schema.attachments.id, id));
    return row;
  }
}
