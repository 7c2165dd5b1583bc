import { randomUUID } from 'node:crypto';

/**
 * Who talks to whom. Connections come in blocks of 20: five 1:1 conversations (10
 * connections) and one group of 10, so every prefix of whole blocks has the same mix and a
 * step from 1,000 to 2,000 connections only adds blocks. Each connection is its own user.
 */
export const BLOCK = 20;
const PAIRS_PER_BLOCK = 5;
const GROUP_SIZE = 10;

export interface Room {
  /** Conversation id (UUID) in every target, so frames have the same size everywhere. */
  id: string;
  /** Indexes into Layout.users. */
  members: number[];
}

export interface Layout {
  users: string[];
  rooms: Room[];
}

export function makeLayout(maxConnections: number): Layout {
  const blocks = Math.ceil(maxConnections / BLOCK);
  const users = Array.from({ length: blocks * BLOCK }, () => randomUUID());
  const rooms: Room[] = [];
  for (let b = 0; b < blocks; b++) {
    const base = b * BLOCK;
    for (let p = 0; p < PAIRS_PER_BLOCK; p++) {
      rooms.push({ id: randomUUID(), members: [base + 2 * p, base + 2 * p + 1] });
    }
    const first = base + 2 * PAIRS_PER_BLOCK;
    rooms.push({
      id: randomUUID(),
      members: Array.from({ length: GROUP_SIZE }, (_, i) => first + i),
    });
  }
  return { users, rooms };
}

/** The rooms whose members all fall in [from, to): what a step from `from` to `to` connects. */
export function roomsBetween(layout: Layout, from: number, to: number): Room[] {
  return layout.rooms.filter((r) => (r.members[0] ?? -1) >= from && (r.members.at(-1) ?? to) < to);
}

export const roundToBlocks = (n: number) => Math.max(BLOCK, Math.round(n / BLOCK) * BLOCK);
