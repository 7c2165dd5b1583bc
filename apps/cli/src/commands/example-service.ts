import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Booking, Conversation, Message, User } from '@estuary/api';
import type { ChatClient } from '@estuary/client';
import { chatClient, withTimeout } from '../api';
import type { CliEnv } from '../env';
import { CliError } from '../errors';
import { COMMON_HELP, parse } from '../options';
import { withTokens } from './service-token';

export const exampleServiceHelp = `Usage: estuary example-service [--service-token-file PATH]

Does what the booking platform's backend does, through @estuary/client with a service
token: upserts a practitioner and a client (by their platform ids), books a session for
tomorrow, opens its conversation and posts the system message "Your session is booked".

Against \`pnpm dev\` it needs nothing: without --service-token-file it mints a dev token
named "example-service" (as \`pnpm estuary service-token\` would) and uses it.

Options:
  --service-token-file <path>  a file holding a service token (scopes users, bookings, system-messages)

${COMMON_HELP}`;

export interface ExampleResult {
  practitioner: User;
  client: User;
  booking: Booking;
  conversation: Conversation;
  message: Message;
}

/** The platform's flow, typed end to end: every call below is checked against AppRouter. */
export async function bookAndGreet(chat: ChatClient): Promise<ExampleResult> {
  const practitioner = await chat.user.upsert.mutate({
    externalId: 'platform-practitioner-42',
    email: 'dr.rivera@platform.example',
    name: 'Dr Sam Rivera',
    role: 'practitioner',
  });
  const client = await chat.user.upsert.mutate({
    externalId: 'platform-client-7',
    email: 'jo.bauer@platform.example',
    name: 'Jo Bauer',
    role: 'client',
  });
  const startsAt = new Date();
  startsAt.setUTCDate(startsAt.getUTCDate() + 1);
  startsAt.setUTCHours(10, 0, 0, 0);
  const booking = await chat.booking.create.mutate({
    practitionerId: practitioner.id,
    clientId: client.id,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 50 * 60_000),
  });
  const conversation = await chat.conversation.forBooking.mutate({ bookingId: booking.id });
  const message = await chat.message.sendSystem.mutate({
    conversationId: conversation.id,
    // Retrying with the same clientId posts the notice once.
    clientId: randomUUID(),
    content: 'Your session is booked',
  });
  return { practitioner, client, booking, conversation, message };
}

export async function exampleService(argv: string[], env: CliEnv, out: (line: string) => void) {
  const { values, common, help } = parse(
    'example-service',
    argv,
    { 'service-token-file': { type: 'string' } },
    env,
  );
  if (help) return out(exampleServiceHelp);
  const file = values['service-token-file'] as string | undefined;
  const token = file ? await readToken(resolve(env.cwd, file)) : await mintDevToken(env, out);
  const chat = chatClient(common, token);
  try {
    const result = await withTimeout(common, 'The example service', bookAndGreet(chat));
    if (common.json) return out(JSON.stringify(result));
    const { practitioner, client, booking, conversation, message } = result;
    out(`Upserted ${practitioner.name} (${practitioner.id}) and ${client.name} (${client.id}).`);
    out(`Booked ${booking.id} for ${booking.startsAt.toISOString()}.`);
    out(
      `Conversation ${conversation.id}: posted #${message.seq} "${message.content}" (${message.kind}).`,
    );
    out(
      `Sign in as ${client.email} through the platform (or follow it with \`pnpm estuary tail\`).`,
    );
  } finally {
    await chat.close();
  }
}

async function readToken(path: string): Promise<string> {
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (!token) throw new CliError(`${path} is empty`);
    return token;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new CliError(`No file at ${path}`);
    throw error;
  }
}

async function mintDevToken(env: CliEnv, out: (line: string) => void): Promise<string> {
  if (env.production) {
    throw new CliError(
      'With NODE_ENV=production, pass --service-token-file (mint one with `estuary service-token`).',
    );
  }
  let token = '';
  await withTokens(env, async (tokens) => {
    ({ token } = await tokens.mint('example-service', ['users', 'bookings', 'system-messages']));
  });
  out('Minted a dev service token "example-service" (users, bookings, system-messages).');
  return token;
}
