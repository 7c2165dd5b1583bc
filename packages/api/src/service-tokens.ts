import { createHmac, randomBytes } from 'node:crypto';
import { type DbOrTx, schema } from '@estuary/db';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { SERVICE_SCOPES, type ServiceCaller, type ServiceScope } from './domain/callers';

const { serviceAccounts } = schema;

/** Service tokens are opaque, not JWTs: the prefix tells them apart from every other bearer. */
const PREFIX = 'est_svc_';

export const isServiceToken = (token: unknown): token is string =>
  typeof token === 'string' && token.startsWith(PREFIX);

export interface ServiceAccountInfo {
  name: string;
  scopes: ServiceScope[];
  createdAt: Date;
  revokedAt: Date | null;
}

export const isServiceScope = (scope: string): scope is ServiceScope =>
  (SERVICE_SCOPES as readonly string[]).includes(scope);

/**
 * Mints, lists, revokes and checks service tokens. Only an HMAC of each token (keyed with
 * AUTH_SECRET) is stored, so a copy of the database alone lets nobody call as a service.
 * `verify` reads the row on every call: a revoked token is refused on its very next call, in
 * every process, with no cache to invalidate.
 */
export class ServiceTokens {
  private readonly key: Buffer;

  constructor(
    private readonly db: DbOrTx,
    secret: string,
  ) {
    this.key = Buffer.from(secret, 'utf8');
  }

  private hash(token: string): string {
    return createHmac('sha256', this.key).update(token).digest('base64url');
  }

  /** A new token for `name`; a live token under the same name is revoked in the same step. */
  async mint(name: string, scopes: ServiceScope[]): Promise<{ token: string }> {
    const token = PREFIX + randomBytes(32).toString('base64url');
    await this.db.transaction(async (tx) => {
      await tx
        .update(serviceAccounts)
        .set({ revokedAt: new Date() })
        .where(and(eq(serviceAccounts.name, name), isNull(serviceAccounts.revokedAt)));
      await tx
        .insert(serviceAccounts)
        .values({ name, scopes: [...new Set(scopes)], tokenHash: this.hash(token) });
    });
    return { token };
  }

  async list(): Promise<ServiceAccountInfo[]> {
    const rows = await this.db
      .select({
        name: serviceAccounts.name,
        scopes: serviceAccounts.scopes,
        createdAt: serviceAccounts.createdAt,
        revokedAt: serviceAccounts.revokedAt,
      })
      .from(serviceAccounts)
      .orderBy(serviceAccounts.name, desc(serviceAccounts.createdAt));
    return rows.map((r) => ({ ...r, scopes: r.scopes.filter(isServiceScope) }));
  }

  /** Revokes the live token of `name`; returns whether there was one. */
  async revoke(name: string): Promise<boolean> {
    const revoked = await this.db
      .update(serviceAccounts)
      .set({ revokedAt: new Date() })
      .where(and(eq(serviceAccounts.name, name), isNull(serviceAccounts.revokedAt)))
      .returning({ id: serviceAccounts.id });
    return revoked.length > 0;
  }

  /** The service behind a live token, or null (unknown or revoked). */
  async verify(token: string): Promise<ServiceCaller | null> {
    if (!isServiceToken(token)) return null;
    const [row] = await this.db
      .select({
        id: serviceAccounts.id,
        name: serviceAccounts.name,
        scopes: serviceAccounts.scopes,
      })
      .from(serviceAccounts)
      .where(
        and(eq(serviceAccounts.tokenHash, this.hash(token)), isNull(serviceAccounts.revokedAt)),
      );
    if (!row) return null;
    return {
      kind: 'service',
      id: row.id,
      name: row.name,
      scopes: row.scopes.filter(isServiceScope),
    };
  }
}
