import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';

/**
 * What a client may see of an unexpected failure, and what a log may keep of it. A database
 * error's message carries the SQL and its parameters (a user's password hash, once): clients
 * get a generic message and an id, the log gets the same id and the error without values.
 */
const ids = new WeakMap<object, string>();

/** One id per error, whoever asks first (the error formatter or the transport's onError). */
export function errorId(error: object): string {
  let id = ids.get(error);
  if (!id) {
    id = randomUUID();
    ids.set(error, id);
  }
  return id;
}

export const internalErrorMessage = (id: string) =>
  `Something went wrong on our side; error id ${id}`;

/**
 * The error chain as a log can keep it: names, Postgres codes and the statement text, but
 * never a parameter nor a database message (those quote values: `invalid input syntax for
 * type uuid: "…"`).
 */
export function describeError(error: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as Record<string, unknown> & { cause?: unknown };
    const name = (e.constructor as { name?: string } | undefined)?.name ?? typeof current;
    if (name === 'PostgresError' || typeof e.routine === 'string') {
      chain.push({
        name,
        code: e.code,
        routine: e.routine,
        table: e.table_name,
        constraint: e.constraint_name,
        column: e.column_name,
      });
    } else if (typeof e.query === 'string' && 'params' in e) {
      chain.push({ name, query: e.query });
    } else if (current instanceof TRPCError) {
      chain.push({ name, code: current.code });
    } else if (current instanceof Error) {
      chain.push({ name, message: current.message });
    } else {
      chain.push({ name });
    }
    current = e.cause;
  }
  return chain;
}

// C0 and C1 controls and DEL. Message content keeps line feeds and tabs.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_IN_CONTENT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const MULTILINE_FIELDS = new Set(['content']);

/** True when `text` holds no control character (`multiline` allows \n and \t). */
export function isPlainText(text: string, multiline = false): boolean {
  return !(multiline ? CONTROL_IN_CONTENT : CONTROL).test(text);
}

/**
 * The path of the first string in `input` with a control character, or null. Every string
 * of every procedure's input goes through this (see trpc.ts), so no field can forget it.
 */
export function findControlCharacter(input: unknown, path: string[] = []): string | null {
  if (typeof input === 'string') {
    const key = path.at(-1) ?? '';
    return isPlainText(input, MULTILINE_FIELDS.has(key)) ? null : path.join('.') || 'input';
  }
  if (typeof input !== 'object' || input === null || path.length > 8) return null;
  if (input instanceof Date) return null;
  for (const [key, value] of Object.entries(input)) {
    const found = findControlCharacter(value, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** Characters that draw nothing: a message of only these (and spaces) is empty. */
const INVISIBLE = /[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/gu;

export const isBlank = (text: string) => text.replace(INVISIBLE, '') === '';
