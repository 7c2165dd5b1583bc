import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { row, send } from '../harness/chat-page';
import type { World } from './world';

/**
 * The other two doors of `pnpm dev`: REST (with its OpenAPI document and reference page) and
 * the old chat's WebSocket protocol, talking with a person in the browser.
 */
export function doors(world: World) {
  it('serves REST with an OpenAPI document and a reference page, no CDN', async () => {
    const { stack, browser } = world;
    const doc = (await (await fetch(`${stack.baseUrl}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/conversations/{conversationId}/messages');

    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(stack.baseUrl)) external.push(r.url());
    });
    await page.goto(`${stack.baseUrl}/api/docs`);
    await page.getByText('Estuary Chat REST API').first().waitFor({ timeout: 60_000 });
    await page.getByText('/conversations/{conversationId}/messages').first().waitFor();
    expect(external).toEqual([]);
    await page.close();
  });

  it('lets an old front end and REST talk with a person in the browser', async () => {
    const { stack, chloe } = world;
    const login = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'estuary-demo' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };

    const id = stack.seededConversationId;
    const frames: Record<string, unknown>[] = [];
    const socket = new WebSocket(`${stack.wsUrl}/ws/chat/${id}/?token=${token}`);
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const waitFor = async (predicate: (f: Record<string, unknown>) => boolean) => {
      for (let i = 0; i < 300; i++) {
        const hit = frames.find(predicate);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no frame; got ${JSON.stringify(frames).slice(0, 500)}`);
    };

    socket.send(
      JSON.stringify({ type: 'chat_message', content: 'Sent from the old app', attachments: null }),
    );
    await row(chloe, 'Sent from the old app').waitFor();
    await send(chloe, 'Seen it in the new one');
    expect(
      await waitFor((f) => f.type === 'chat_message' && f.content === 'Seen it in the new one'),
    ).toMatchObject({ sender_name: 'Chloe Martin', is_edited: false, attachments: null });
    socket.close();

    const history = await fetch(`${stack.baseUrl}/api/conversations/${id}/messages`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(history.status).toBe(200);
    const { results } = (await history.json()) as { results: { content: string }[] };
    expect(results.slice(-2).map((m) => m.content)).toEqual([
      'Sent from the old app',
      'Seen it in the new one',
    ]);
    // The token in the legacy URL never reaches the ws server's logs.
    expect(stack.wsOutput()).not.toContain(token);
  });
}
