'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { userMessage } from '../lib/errors';
import { trpc } from '../lib/trpc';
import { putFile } from './put-file';

export type UploadStatus = 'uploading' | 'done' | 'failed';

export interface Upload {
  key: string;
  file: File;
  status: UploadStatus;
  progress: number;
  attachmentId: string | null;
  error: string | null;
}

/** At most this many files on one message (the server's limit). */
export const MAX_FILES = 10;

/**
 * The files being attached to the message in the composer: each is uploaded at once, with
 * its progress; it can be cancelled, removed, or retried after a failure. A retry asks for
 * a new upload: an interrupted one may have left nothing, or half a file, behind.
 */
export function useUploads(conversationId: string) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  const createUpload = trpc.attachment.createUpload.useMutation().mutateAsync;

  const patch = useCallback((key: string, change: Partial<Upload>) => {
    setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }, []);

  const start = useCallback(
    async (key: string, file: File) => {
      const controller = new AbortController();
      controllers.current.set(key, controller);
      patch(key, { status: 'uploading', progress: 0, error: null, attachmentId: null });
      try {
        const { attachment, upload } = await createUpload({
          conversationId,
          name: file.name || 'pasted file',
          contentType: file.type || 'application/octet-stream',
          size: file.size,
        });
        if (controller.signal.aborted) return;
        await putFile(upload, file, (progress) => patch(key, { progress }), controller.signal);
        patch(key, { status: 'done', progress: 1, attachmentId: attachment.id });
      } catch (error) {
        if (controller.signal.aborted) return;
        const message =
          error instanceof Error && !('data' in error) ? error.message : userMessage(error);
        patch(key, { status: 'failed', error: message });
      } finally {
        controllers.current.delete(key);
      }
    },
    [conversationId, createUpload, patch],
  );

  const add = useCallback(
    (files: Iterable<File>) => {
      const added = [...files].map((file) => ({
        key: crypto.randomUUID(),
        file,
        status: 'uploading' as const,
        progress: 0,
        attachmentId: null,
        error: null,
      }));
      setUploads((all) => [...all, ...added].slice(0, MAX_FILES));
      for (const u of added.slice(0, Math.max(0, MAX_FILES - uploads.length)))
        void start(u.key, u.file);
    },
    [start, uploads.length],
  );

  /** Cancels an upload under way, or takes a file off the message. */
  const remove = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    setUploads((all) => all.filter((u) => u.key !== key));
  }, []);

  const retry = useCallback(
    (key: string) => {
      const upload = uploads.find((u) => u.key === key);
      if (upload) void start(key, upload.file);
    },
    [uploads, start],
  );

  const clear = useCallback(() => setUploads([]), []);

  // Leaving the conversation cancels what is still uploading.
  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const c of running.values()) c.abort();
    };
  }, []);

  return { uploads, add, remove, retry, clear };
}
