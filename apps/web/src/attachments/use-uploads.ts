'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useReachable } from '../lib/connection';
import { userMessage } from '../lib/errors';
import { trpc } from '../lib/trpc';
import { uploadFile } from './upload-file';

/** `held`: offline; the file waits here, or with its message in the outbox, until we are back. */
export type UploadStatus = 'uploading' | 'done' | 'failed' | 'held';

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
 * a new upload: an interrupted one may have left nothing, or half a file, behind. Offline,
 * a file is held instead: it uploads when the connection is back, or, if the message is
 * sent first, goes into the outbox with it.
 */
export function useUploads(conversationId: string) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  const createUpload = trpc.attachment.createUpload.useMutation().mutateAsync;
  const reachable = useReachable();
  // Read when an upload fails: a failure because we went offline is a hold, not an error.
  const reachableNow = useRef(reachable);
  reachableNow.current = reachable;

  const patch = useCallback((key: string, change: Partial<Upload>) => {
    setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }, []);

  const start = useCallback(
    async (key: string, file: File) => {
      if (!reachableNow.current) return patch(key, { status: 'held', progress: 0, error: null });
      const controller = new AbortController();
      controllers.current.set(key, controller);
      patch(key, { status: 'uploading', progress: 0, error: null, attachmentId: null });
      try {
        const attachmentId = await uploadFile(
          createUpload,
          conversationId,
          { name: file.name, type: file.type, blob: file },
          (progress) => patch(key, { progress }),
          controller.signal,
        );
        patch(key, { status: 'done', progress: 1, attachmentId });
      } catch (error) {
        if (controller.signal.aborted) return;
        if (!reachableNow.current || !navigator.onLine) {
          return patch(key, { status: 'held', progress: 0, error: null });
        }
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

  // Back online: what was held in the composer uploads now.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the change to reachable counts
  useEffect(() => {
    if (!reachable) return;
    for (const u of uploads) if (u.status === 'held') void start(u.key, u.file);
  }, [reachable]);

  // Leaving the conversation cancels what is still uploading.
  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const c of running.values()) c.abort();
    };
  }, []);

  return { uploads, add, remove, retry, clear };
}
