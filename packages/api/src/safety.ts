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

/** C0 and C1 controls and DEL; message content keeps line feeds and tabs. */
function hasControlCharacter(text: string, multiline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? !(multiline && (c === 0x0a || c === 0x09)) : c >= 0x7f && c <= 0x9f) return true;
  }
  return false;
}
const MULTILINE_FIELDS = new Set(['content']);

/** True when `text` holds no control character (`multiline` allows \n and \t). */
export function isPlainText(text: string, multiline = false): boolean {
  return !hasControlCharacter(text, multiline);
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

/** Characters that draw nothing: a message of only these (and white space) is empty. */
const INVISIBLE_RANGES: [number, number][] = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x17b4, 0x17b5],
  [0x180b, 0x180f], // Mongolian variation selectors and vowel separator
  [0x200b, 0x200f], // zero-width space, joiners, direction marks
  [0x202a, 0x202e], // bidi embeddings
  [0x2060, 0x206f], // word joiner, invisible operators, bidi isolates
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // byte order mark
  [0xffa0, 0xffa0], // half-width Hangul filler
];

const isInvisible = (char: string) => {
  if (/\s/.test(char)) return true;
  const code = char.codePointAt(0) ?? 0;
  return INVISIBLE_RANGES.some(([from, to]) => code >= from && code <= to);
};

export const isBlank = (text: string) => [...text].every(isInvisible);

/**
 * Log fields without query parameters: errors become their description, and a stringified
 * database error (drizzle's "Failed query: …\nparams: …") loses its parameters.
 */
export function withoutParameters(extra: Record<string, unknown>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(extra)) {
    clean[key] =
      value instanceof Error
        ? describeError(value)
        : typeof value === 'string'
          ? value.replace(/\nparams: [\s\S]*$/, ' (parameters withheld)')
          : value;
  }
  return clean;
}
