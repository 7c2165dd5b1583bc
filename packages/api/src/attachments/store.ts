import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where served headers come from when a store hands out its own download URLs. */
export interface ServeAs {
  contentType: string;
  disposition: string;
}

/**
 * Object storage behind one interface. Keys are ours (`<conversation>/<attachment>/<variant>`),
 * never a user's file name.
 */
export interface AttachmentStore {
  readonly kind: 'local' | 's3';
  /** Size in bytes, or null when there is no such object. */
  size(key: string): Promise<number | null>;
  /** The first `bytes` bytes (fewer if the object is shorter). */
  head(key: string, bytes: number): Promise<Uint8Array>;
  read(key: string): Promise<Buffer>;
  write(key: string, body: Buffer, contentType: string): Promise<void>;
  remove(keys: string[]): Promise<void>;
  /** A server-side copy, where the store has one. */
  copy?(from: string, to: string, contentType: string): Promise<void>;
  /** S3: a presigned PUT for the browser. Local: null (apps/web takes the upload). */
  presignPut(
    key: string,
    contentType: string,
    size: number,
    expiresIn: number,
  ): Promise<string | null>;
  /** S3: a presigned GET with the response headers forced. Local: null (apps/web serves it). */
  presignGet(key: string, serveAs: ServeAs, expiresIn: number): Promise<string | null>;
  /** Local only: a stream of the object, or of the bytes `start` to `end` inclusive. */
  stream?(key: string, range?: { start: number; end: number }): Readable;
}

export class UploadTooLarge extends Error {}

/** Local disk, for development and single-machine installs. apps/web moves the bytes. */
export class LocalStore implements AttachmentStore {
  readonly kind = 'local';
  constructor(readonly dir: string) {}

  private path(key: string) {
    if (!/^[0-9a-f-]+(\/[0-9a-z.-]+)*$/.test(key)) throw new Error('bad storage key');
    return join(this.dir, key);
  }

  async size(key: string) {
    try {
      return (await stat(this.path(key))).size;
    } catch {
      return null;
    }
  }

  async head(key: string, bytes: number) {
    const file = await open(this.path(key), 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await file.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  read(key: string) {
    return readFile(this.path(key));
  }

  async write(key: string, body: Buffer) {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, body);
    await rename(temp, path);
  }

  /**
   * Streams an upload to disk, refusing more than `limit` bytes. Written to a temporary
   * file first, so a cut-off upload never leaves a half object under the real key.
   */
  async writeStream(key: string, body: ReadableStream<Uint8Array>, limit: number) {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    let seen = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > limit) done(new UploadTooLarge('upload larger than declared'));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(body as never), cap, createWriteStream(temp));
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async remove(keys: string[]) {
    await Promise.all(keys.map((k) => rm(this.path(k), { force: true })));
  }

  async copy(from: string, to: string) {
    await mkdir(dirname(this.path(to)), { recursive: true });
    await copyFile(this.path(from), this.path(to));
  }

  async presignPut() {
    return null;
  }

  async presignGet() {
    return null;
  }

  stream(key: string, range?: { start: number; end: number }) {
    return createReadStream(this.path(key), range);
  }
}
