import { randomUUID } from 'node:crypto';
import { type ChatServices, chat, createChatServices, type Role, type User } from '@estuary/api';
import { TokenService } from '@estuary/auth';
import { type ChatClient, createChatClient } from '@estuary/client';
import { closeDb, createDb, type Db } from '@estuary/db';
import { createTestDatabase, type TestDatabase } from '@estuary/db/testing';
import { createMemoryBus } from '@estuary/realtime';
import { sql } from 'drizzle-orm';
import { SECRET } from './nodes';

/**
 * A database of the test's own plus the domain functions to fill it: users, tokens and
 * conversations are made directly; everything under test goes through the ws processes.
 */
export async function startWorld() {
  const database: TestDatabase = await createTestDatabase();
  const db: Db = createDb(database.url);
  // Setup only: the domain layer with a bus nobody listens to.
  const services: ChatServices = createChatServices({
    db,
    bus: createMemoryBus(),
    authSecret: SECRET,
  });
  const tokens = new TokenService(SECRET);
  const clients: ChatClient[] = [];
  let n = 0;

  return {
    url: database.url,
    db,
    tokens,
    async user(role: Role = 'client'): Promise<User> {
      return chat.registerUser(db, {
        email: `u${++n}-${randomUUID().slice(0, 6)}@example.com`,
        password: 'password-1',
        name: `User ${n}`,
        role,
      });
    },
    async group(owner: User, members: User[]) {
      // The contact rule: a booking with the owner makes each client member a contact.
      for (const m of members) {
        if (owner.role === 'practitioner' && m.role === 'client') {
          await chat.createBooking(db, owner, {
            practitionerId: owner.id,
            clientId: m.id,
            startsAt: new Date(Date.now() + 86_400_000),
            endsAt: new Date(Date.now() + 90_000_000),
          });
        }
      }
      return chat.createGroup(services.deps, owner, {
        title: `Group ${++n}`,
        participantIds: members.map((m) => m.id),
      });
    },
    /** A client over WebSocket only; `url` may change between reconnects, as a load balancer would. */
    client(user: User, url: string | (() => string), options: { ttlSeconds?: number } = {}) {
      const client = createChatClient({
        wsUrl: url,
        getToken: async () => (await tokens.issue(user.id, 'access', options.ttlSeconds)).token,
        retryDelayMs: (attempt) => (attempt === 0 ? 0 : 100),
      });
      clients.push(client);
      return client;
    },
    async eventLog(conversationId: string) {
      const rows = await db.execute<{ seq: number }>(
        sql`select seq from message_events where conversation_id = ${conversationId} order by seq`,
      );
      return rows.map((r) => r.seq);
    },
    async close() {
      for (const c of clients) await c.close().catch(() => {});
      await services.close();
      await closeDb(db);
      await database.drop();
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
