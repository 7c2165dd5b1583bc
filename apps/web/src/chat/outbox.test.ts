import { describe, expect, it } from 'vitest';
import { message } from '../test/fixtures';
import { MAX_ATTEMPTS, nextToSend, type OutboxEntry, outboxReducer } from './outbox';

const conversationId = '00000000-0000-4000-8000-000000000001';
const enqueue = (state: OutboxEntry[], clientId: string, content = clientId) =>
  outboxReducer(state, { type: 'enqueue', clientId, conversationId, content, at: new Date() });

describe('outboxReducer', () => {
  it('sends in the order written, one at a time', () => {
    let state = enqueue(enqueue([], 'a'), 'b');
    expect(nextToSend(state)?.clientId).toBe('a');
    state = outboxReducer(state, { type: 'start', clientId: 'a' });
    expect(nextToSend(state)).toBeNull();
    state = outboxReducer(state, { type: 'sent', clientId: 'a', message: message(1) });
    expect(nextToSend(state)?.clientId).toBe('b');
  });

  it('ignores a second enqueue of the same clientId', () => {
    const state = enqueue(enqueue([], 'a', 'hello'), 'a', 'hello again');
    expect(state).toHaveLength(1);
    expect(state[0]?.content).toBe('hello');
  });

  it('keeps a requeued message first in line, with the same clientId', () => {
    let state = enqueue(enqueue([], 'a'), 'b');
    state = outboxReducer(state, { type: 'start', clientId: 'a' });
    state = outboxReducer(state, { type: 'requeue', clientId: 'a', error: 'network' });
    expect(nextToSend(state)?.clientId).toBe('a');
    expect(state.map((e) => e.clientId)).toEqual(['a', 'b']);
  });

  it('gives up after repeated transient failures, and Retry starts afresh', () => {
    let state = enqueue([], 'a');
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      state = outboxReducer(state, { type: 'start', clientId: 'a' });
      state = outboxReducer(state, { type: 'requeue', clientId: 'a', error: 'network' });
    }
    expect(state[0]?.status).toBe('failed');
    expect(nextToSend(state)).toBeNull();
    state = outboxReducer(state, { type: 'retry', clientId: 'a' });
    expect(state[0]).toMatchObject({ status: 'queued', attempts: 0, error: null, clientId: 'a' });
  });

  it('moves on past a refused message, which waits for the user', () => {
    let state = enqueue(enqueue([], 'a'), 'b');
    state = outboxReducer(state, { type: 'start', clientId: 'a' });
    state = outboxReducer(state, { type: 'fail', clientId: 'a', error: 'Forbidden' });
    expect(state[0]).toMatchObject({ status: 'failed', error: 'Forbidden' });
    expect(nextToSend(state)?.clientId).toBe('b');
  });

  it('discards an unsent message but never a confirmed one', () => {
    let state = enqueue(enqueue([], 'a'), 'b');
    state = outboxReducer(state, { type: 'sent', clientId: 'b', message: message(1) });
    state = outboxReducer(state, { type: 'discard', clientId: 'a' });
    state = outboxReducer(state, { type: 'discard', clientId: 'b' });
    expect(state.map((e) => e.clientId)).toEqual(['b']);
  });
});

it('restores saved entries in the order written, without doubling known ones', () => {
  const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));
  let state = outboxReducer([], {
    type: 'enqueue',
    clientId: 'c',
    conversationId,
    content: 'c',
    at: at(3),
  });
  const saved = (clientId: string, minute: number): OutboxEntry => ({
    clientId,
    conversationId,
    content: clientId,
    createdAt: at(minute),
    status: 'queued',
    attempts: 0,
    error: null,
    message: null,
  });
  state = outboxReducer(state, { type: 'restore', entries: [saved('a', 1), saved('c', 3)] });
  expect(state.map((e) => e.clientId)).toEqual(['a', 'c']);
});

it('keeps a message sent once the stream showed it, whatever its request says later', () => {
  let state = outboxReducer([], {
    type: 'enqueue',
    clientId: 'a',
    conversationId,
    content: 'a',
    at: new Date(),
  });
  state = outboxReducer(state, { type: 'start', clientId: 'a' });
  state = outboxReducer(state, { type: 'sent', clientId: 'a', message: message(1) });
  state = outboxReducer(state, { type: 'requeue', clientId: 'a', error: 'network' });
  state = outboxReducer(state, { type: 'fail', clientId: 'a', error: 'network' });
  expect(state[0]?.status).toBe('sent');
});

describe('outbox with attachments', () => {
  it('keeps the uploaded files with the message through requeues, for the one send that lands', () => {
    const at = new Date();
    let state = outboxReducer([], {
      type: 'enqueue',
      clientId: 'f',
      conversationId,
      content: '',
      at,
      attachmentIds: ['00000000-0000-4000-8000-00000000a001'],
      attachmentNames: ['worksheet.pdf'],
    });
    state = outboxReducer(state, { type: 'start', clientId: 'f' });
    state = outboxReducer(state, { type: 'requeue', clientId: 'f', error: 'offline' });
    const next = nextToSend(state);
    expect(next?.clientId).toBe('f');
    expect(next?.attachmentIds).toEqual(['00000000-0000-4000-8000-00000000a001']);
    expect(next?.attachmentNames).toEqual(['worksheet.pdf']);
    // Survives the localStorage round trip as plain JSON.
    expect(JSON.parse(JSON.stringify(state))[0].attachmentIds).toHaveLength(1);
  });

  it('adds no attachment fields to a text-only message', () => {
    const [entry] = enqueue([], 'plain');
    expect(entry && 'attachmentIds' in entry).toBe(false);
  });

  it('holds offline files with the message, and after their upload a retry sends the ids, never uploads again', () => {
    let state = outboxReducer([], {
      type: 'enqueue',
      clientId: 'h',
      conversationId,
      content: 'the recording',
      at: new Date(),
      attachmentNames: ['breathing.m4a'],
      heldFiles: 1,
    });
    expect(state[0]).toMatchObject({ heldFiles: 1, attachmentIds: [], status: 'queued' });
    state = outboxReducer(state, { type: 'start', clientId: 'h' });
    const id = '00000000-0000-4000-8000-00000000a002';
    state = outboxReducer(state, { type: 'uploaded', clientId: 'h', attachmentIds: [id] });
    state = outboxReducer(state, { type: 'requeue', clientId: 'h', error: 'network' });
    const saved = JSON.parse(JSON.stringify(state))[0];
    expect(saved.heldFiles).toBeUndefined();
    expect(saved.attachmentIds).toEqual([id]);
    expect(saved.clientId).toBe('h');
  });
});
