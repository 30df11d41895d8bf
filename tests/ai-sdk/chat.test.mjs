// The AI SDK's own chat client (AbstractChat + DefaultChatTransport, what useChat runs) against the running service.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestChat, newUser, offlineReply } from './service.mjs';

const textOf = (message) => message.parts.filter((p) => p.type === 'text').map((p) => p.text).join('');

test('a message is sent, its reply streams into the chat, and the stored history matches it', async () => {
  const user = newUser();
  const chat = new TestChat({ user });

  await chat.sendMessage({ text: 'How do I inspect a flat roof?' });

  assert.equal(chat.status, 'ready');
  assert.equal(chat.error, undefined);
  const [question, answer] = chat.messages;
  assert.equal(chat.messages.length, 2);
  assert.equal(answer.role, 'assistant');
  assert.equal(textOf(answer), offlineReply('How do I inspect a flat roof?', 0));
  assert.equal(answer.metadata.status, 'complete');
  assert.equal(answer.metadata.seq, 1);
  assert.equal(answer.metadata.model, 'offline');
  const history = await user.history(chat.id);
  assert.deepEqual(history.map((m) => [m.id === answer.id, m.role, textOf(m)]), [
    [false, 'user', textOf(question)],
    [true, 'assistant', textOf(answer)],
  ]);
});

test('a connection dropped mid-reply is picked up again with resumeStream()', async () => {
  const user = newUser();
  let dropped = false;
  let drop;
  const dropNow = new Promise((resolve) => {
    drop = resolve;
  });
  // Passes the first POST's stream through up to its first text-delta; once told to, fails it as a network drop would.
  const droppingFetch = async (url, init) => {
    const response = await fetch(url, init);
    if (dropped || init.method !== 'POST' || !response.ok) {
      return response;
    }
    dropped = true;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const body = new ReadableStream({
      async pull(controller) {
        if (seen.includes('"text-delta"')) {
          await dropNow;
          await reader.cancel();
          controller.error(new TypeError('network error'));
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        seen += decoder.decode(value, { stream: true });
        controller.enqueue(value);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const chat = new TestChat({ user, fetch: droppingFetch });

  const sending = chat.sendMessage({ text: 'Tell me about ice dams' });
  await chat.untilFirstText();
  drop();
  await sending;
  assert.equal(chat.status, 'error');
  const partial = chat.lastText;
  assert.ok(partial.length > 0 && partial.length < offlineReply('Tell me about ice dams', 0).length, 'the drop came mid-reply');

  await chat.resumeStream();

  assert.equal(chat.status, 'ready');
  assert.equal(chat.messages.length, 2);
  assert.equal(chat.lastText, offlineReply('Tell me about ice dams', 0));
  assert.equal(chat.messages[1].metadata.status, 'complete');
  assert.equal((await user.history(chat.id)).length, 2);
});

test('after a reload, a new chat with the stored messages resumes the reply in flight', async () => {
  const user = newUser();
  const first = new TestChat({ user });
  const sending = first.sendMessage({ text: 'Shingle or metal?' });
  await first.untilFirstText();

  // The page reloads: a new chat for the same id, seeded from the server, resumes as useChat({resume: true}) does.
  const reloaded = new TestChat({ user, id: first.id, messages: await user.history(first.id) });
  await reloaded.resumeStream();
  await sending;

  assert.equal(reloaded.status, 'ready');
  assert.deepEqual(reloaded.messages.map((m) => m.role), ['user', 'assistant']);
  assert.equal(reloaded.lastText, offlineReply('Shingle or metal?', 0));
  assert.equal(reloaded.messages[1].id, first.messages[1].id);
});

test('stop keeps what was written, stored as stopped', async () => {
  const user = newUser();
  const chat = new TestChat({ user });
  const sending = chat.sendMessage({ text: 'Write me a long safety checklist' });
  await chat.untilFirstText();

  const [, stop] = await Promise.all([chat.stop(), user.call('POST', `/v1/chat/${chat.id}/stop`)]);
  await sending;

  assert.equal(stop.status, 200);
  assert.equal(stop.body.stopped, true);
  assert.equal(chat.status, 'ready');
  const [, stored] = await user.history(chat.id);
  const full = offlineReply('Write me a long safety checklist', 0);
  assert.equal(stored.metadata.status, 'stopped');
  assert.ok(textOf(stored).length > 0 && textOf(stored).length < full.length, 'part of the reply was kept');
  assert.ok(full.startsWith(textOf(stored)));
  assert.deepEqual((await user.call('POST', `/v1/chat/${chat.id}/stop`)).body, { stopped: false });
});

test('a network retry of the same request gets the stored reply instead of a new one', async () => {
  const user = newUser();
  const chat = new TestChat({ user });
  await chat.sendMessage({ text: 'What is a drip edge?' });
  const [question, answer] = chat.messages;

  // A network retry of the same request, straight through the transport, as the chat would send it again.
  const stream = await chat.transport.sendMessages({
    chatId: chat.id,
    messages: [question],
    trigger: 'submit-message',
    messageId: undefined,
    abortSignal: undefined,
  });
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }

  assert.equal(chunks[0].type, 'start');
  assert.equal(chunks[0].messageId, answer.id);
  assert.equal(chunks.filter((c) => c.type === 'text-delta').map((c) => c.delta).join(''), textOf(answer));
  assert.equal(chunks.at(-1).type, 'finish');
  assert.equal(chat.messages.length, 2);
  assert.equal(chat.messages[1].id, answer.id);
  assert.equal(chat.lastText, textOf(answer));
  assert.equal((await user.history(chat.id)).length, 2);
});

test('history loaded into a new chat continues the conversation', async () => {
  const user = newUser();
  const chat = new TestChat({ user, body: { persona: 'pm' } });
  await chat.sendMessage({ text: 'Plan a re-roof' });
  await chat.sendMessage({ text: 'How many crews?' });

  const loaded = new TestChat({ user, id: chat.id, messages: await user.history(chat.id) });
  await loaded.sendMessage({ text: 'And the budget?' });

  assert.equal(loaded.status, 'ready');
  assert.deepEqual(loaded.messages.map(textOf), [
    'Plan a re-roof',
    offlineReply('Plan a re-roof', 0),
    'How many crews?',
    offlineReply('How many crews?', 1),
    'And the budget?',
    offlineReply('And the budget?', 2),
  ]);
  const session = await user.call('GET', `/v1/sessions/${chat.id}`);
  assert.equal(session.body.persona, 'pm');
  assert.equal(session.body.message_count, 6);
});

test('a chat that sends only its newest messages (docs/api.md) sends, regenerates and edits as one that sends all', async () => {
  const user = newUser();
  const sent = [];
  const recordingFetch = async (url, init) => {
    if (init.method === 'POST') sent.push(JSON.parse(init.body).messages.length);
    return fetch(url, init);
  };
  // The snippet docs/api.md gives for long chats: the server keeps the history, so the rest need not travel.
  const prepareSendMessagesRequest = ({ id, messages, trigger, messageId, body }) => ({
    body: { ...body, id, messages: messages.slice(-2), trigger, messageId },
  });
  const chat = new TestChat({ user, fetch: recordingFetch, prepareSendMessagesRequest });

  await chat.sendMessage({ text: 'Which nails for shingles?' });
  await chat.sendMessage({ text: 'And for the ridge cap?' });
  await chat.regenerate();
  const second = chat.messages[2];
  await chat.sendMessage({ text: 'And for the starter strip?', messageId: second.id });

  assert.equal(chat.status, 'ready');
  assert.deepEqual(sent, [1, 2, 2, 2]);
  const history = await user.history(chat.id);
  assert.deepEqual(history.map((m) => [m.role, m.role === 'user' ? textOf(m) : textOf(m) === chat.lastText]), [
    ['user', 'Which nails for shingles?'],
    ['assistant', false],
    ['user', 'And for the starter strip?'],
    ['assistant', true],
  ]);
  assert.equal(history[2].metadata.versions.length, 2);
  assert.equal(chat.lastText, offlineReply('And for the starter strip?', 1));
});

test('a second message while a reply streams is refused with turn_in_flight', async () => {
  const user = newUser();
  const chat = new TestChat({ user });
  const sending = chat.sendMessage({ text: 'First question' });
  await chat.untilFirstText();

  const secondTab = new TestChat({ user, id: chat.id });
  await secondTab.sendMessage({ text: 'Second question' });
  await sending;

  assert.equal(secondTab.status, 'error');
  assert.equal(JSON.parse(secondTab.error.message).code, 'turn_in_flight');
  assert.equal((await user.history(chat.id)).length, 2);
});

test("someone else's chat id is not found, and their chat is untouched", async () => {
  const owner = newUser();
  const chat = new TestChat({ user: owner });
  await chat.sendMessage({ text: 'Private question' });

  const intruder = new TestChat({ user: newUser(), id: chat.id });
  await intruder.sendMessage({ text: 'Let me in' });

  assert.equal(intruder.status, 'error');
  assert.equal(JSON.parse(intruder.error.message).code, 'session_not_found');
  assert.equal((await owner.history(chat.id)).length, 2);
});
