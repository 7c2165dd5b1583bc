import { isServiceScope, SERVICE_SCOPES, type ServiceScope, ServiceTokens } from '@estuary/api';
import { resolveAuthSecret } from '@estuary/auth';
import { closeDb, createDb, devStateDir, migrate } from '@estuary/db';
import type { CliEnv } from '../env';
import { CliError, usageError } from '../errors';
import { parse } from '../options';

export const serviceTokenHelp = `Usage:
  estuary service-token --name NAME --scope SCOPE [SCOPE…]   mint a token (printed alone on the last line)
  estuary service-token --list                              list service accounts
  estuary service-token --revoke NAME                       revoke NAME's token at once

Service tokens let an internal service (the booking platform's backend) call the service
procedures: user.upsert (scope users), booking.create / cancel / reschedule and
conversation.forBooking (scope bookings), message.sendSystem (scope system-messages).
Scopes: ${SERVICE_SCOPES.join(', ')}. Minting again under a name replaces its token.

Run it where the servers run: it uses their DATABASE_URL and AUTH_SECRET. In dev (neither
set) it uses the dev database of \`pnpm dev\` and the generated dev secret: no configuration.`;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export async function serviceToken(argv: string[], env: CliEnv, out: (line: string) => void) {
  const { values, positionals, help } = parse(
    'service-token',
    argv,
    {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      revoke: { type: 'string' },
      list: { type: 'boolean' },
    },
    env,
  );
  if (help) return out(serviceTokenHelp);
  const name = values.name as string | undefined;
  const revoke = values.revoke as string | undefined;
  const list = values.list === true;
  if ([name !== undefined, revoke !== undefined, list].filter(Boolean).length !== 1) {
    throw usageError('Give exactly one of --name, --revoke or --list', 'service-token');
  }
  // `--scope users bookings` and `--scope users --scope bookings` (or "users,bookings") all work.
  const scopeArgs = [...((values.scope as string[] | undefined) ?? []), ...positionals]
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = scopeArgs.filter((s) => !isServiceScope(s));
  if (bad.length) {
    throw usageError(
      `Unknown scope ${bad.map((s) => JSON.stringify(s)).join(', ')} (scopes: ${SERVICE_SCOPES.join(', ')})`,
      'service-token',
    );
  }
  const scopes = scopeArgs as ServiceScope[];
  if (name !== undefined && !NAME.test(name)) {
    throw usageError('NAME: letters, digits, ".", "_" and "-", at most 64', 'service-token');
  }
  if (name !== undefined && scopes.length === 0) {
    throw usageError('Give at least one --scope', 'service-token');
  }
  if (name === undefined && scopes.length > 0) {
    throw usageError('--scope goes with --name', 'service-token');
  }

  await withTokens(env, async (tokens) => {
    if (list) {
      const accounts = await tokens.list();
      if (accounts.length === 0) return out('No service accounts yet.');
      for (const a of accounts) {
        const state = a.revokedAt ? `revoked ${a.revokedAt.toISOString()}` : 'live';
        out(`${a.name}\t${a.scopes.join(',')}\t${a.createdAt.toISOString()}\t${state}`);
      }
      return;
    }
    if (revoke !== undefined) {
      if (!(await tokens.revoke(revoke))) {
        throw new CliError(`No live service token named ${JSON.stringify(revoke)}`);
      }
      return out(`Revoked the service token ${JSON.stringify(revoke)}; it is refused from now on.`);
    }
    const { token } = await tokens.mint(name as string, scopes);
    out(`Service token for ${JSON.stringify(name)} (scopes: ${scopes.join(', ')}).`);
    out('Store it as a secret now: it is not shown again. Send it as `Authorization: Bearer`.');
    out(token);
  });
}

export async function withTokens(env: CliEnv, work: (tokens: ServiceTokens) => Promise<void>) {
  if (env.production && (!env.databaseUrl || !env.authSecret)) {
    throw new CliError(
      'With NODE_ENV=production, set DATABASE_URL and AUTH_SECRET as the servers do.',
    );
  }
  let stop = async () => {};
  let url = env.databaseUrl;
  if (!url) {
    // Dev: the database `pnpm dev` runs (or the same embedded one, started for this command).
    const { startDevDatabase } = await import('@estuary/db/dev');
    const { seedIfEmpty } = await import('@estuary/db/seed');
    const dev = await startDevDatabase({ seedIfEmpty, log: () => {} });
    url = dev.url;
    stop = dev.stop;
  } else {
    // The servers migrate on start; this may run before them.
    await migrate(url);
  }
  const secret = resolveAuthSecret({
    secret: env.authSecret,
    production: env.production,
    devStateDir: devStateDir(),
  });
  const db = createDb(url, { max: 1 });
  try {
    await work(new ServiceTokens(db, secret));
  } finally {
    await closeDb(db);
    await stop();
  }
}
