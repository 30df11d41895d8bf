// Regenerate, edit and switching versions with the AI SDK's own chat client, against the service talking to a fake
// model that numbers its replies (fake-model.mjs), so "the model was called again" and "the model saw the edited
// branch" are what is checked. Run by scripts/test-ai-sdk.sh with the service pointed at COPILOT_FAKE_MODEL_PORT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useFakeModel } from './fake-model.mjs';
import { TestChat, newUser } from './service.mjs';

const textOf = (message) => message.parts.filter((p) => p.type === 'text').map((p) => p.text).join('');
const texts = (messages) => messages.map(textOf);

const model = useFakeModel();

/** The text the fake model gives its next answer, and what it saw then. */
const nextReply = () => `reply ${model().calls.length + 1}`;
const lastCall = () => model().calls.at(-1);

/** A chat with `questions` sent and answered; answers the chat and the replies' texts. */
async function conversation(user, ...questions) {
  const chat = new TestChat({ user });
  for (const question of questions) {
    await chat.sendMessage({ text: question });
    assert.equal(chat.status, 'ready', String(chat.error));
  }
  return chat;
}

/** The chat as a page loads it after a reload: the stored messages, under their stored ids. */
async function reloaded(user, chat) {
  return new TestChat({ user, id: chat.id, messages: await user.history(chat.id) });
}

for (const [how, chatOf] of [
  ['in the chat that sent the messages', (user, chat) => chat],
  ['in a chat loaded from the stored history', reloaded],
]) {
  test(`regenerate() ${how} calls the model again and keeps both replies as versions`, async () => {
    const user = newUser();
    const sent = await conversation(user, 'How do I inspect a flat roof?');
    const first = sent.messages[1];
    const calls = model().calls.length;
    const chat = await chatOf(user, sent);
    const expected = nextReply();

    await chat.regenerate();

    assert.equal(chat.status, 'ready', String(chat.error));
    assert.equal(model().calls.length, calls + 1, 'the model was called again');
    assert.deepEqual(lastCall(), ['user: How do I inspect a flat roof?'], 'the model saw the question, not the old reply');
    assert.deepEqual(texts(chat.messages), ['How do I inspect a flat roof?', expected]);
    const regenerated = chat.messages[1];
    const history = await user.history(chat.id);
    assert.notEqual(regenerated.id, first.id);
    assert.deepEqual(regenerated.metadata.versions, [first.id, regenerated.id], 'the versions, oldest first');
    assert.equal(regenerated.metadata.version_index, 1);

    assert.deepEqual(texts(history), ['How do I inspect a flat roof?', expected], 'the question is stored once');
    assert.equal(history[1].id, regenerated.id);
    assert.equal(history[1].metadata.parent_id, history[0].id);
    assert.equal(history[0].metadata.parent_id ?? null, null);
    assert.deepEqual(history[1].metadata.versions, regenerated.metadata.versions);
    assert.equal(history[1].metadata.version_index, 1);
    assert.equal(history[0].metadata.versions, undefined, 'a position with one version has no switcher');

    const [older] = history[1].metadata.versions;
    const switched = await user.call('PUT', `/v1/sessions/${chat.id}/active`, { message_id: older });
    assert.equal(switched.status, 200);
    assert.equal(switched.body.active_leaf_id, older);
    const back = await user.history(chat.id);
    assert.deepEqual(texts(back), ['How do I inspect a flat roof?', textOf(first)]);
    assert.equal(back[1].metadata.version_index, 0);
  });

  test(`sendMessage({ text, messageId }) ${how} edits the message: the model sees the edited branch only`, async () => {
    const user = newUser();
    const sent = await conversation(user, 'Shingle or metal?', 'What does metal cost?');
    const oldBranch = texts(sent.messages);
    const chat = await chatOf(user, sent);
    const [question] = chat.messages;
    const expected = nextReply();

    await chat.sendMessage({ text: 'Shingle or tile?', messageId: question.id });

    assert.equal(chat.status, 'ready', String(chat.error));
    assert.deepEqual(lastCall(), ['user: Shingle or tile?'], 'the model saw the edited question and nothing after the old one');
    assert.deepEqual(texts(chat.messages), ['Shingle or tile?', expected]);
    const history = await user.history(chat.id);
    assert.deepEqual(texts(history), ['Shingle or tile?', expected], 'the stored active path is what the page shows');
    assert.equal(history[1].id, chat.messages[1].id);
    assert.equal(history[1].metadata.parent_id, history[0].id);
    assert.equal(history[0].metadata.versions.length, 2);
    assert.equal(history[0].metadata.version_index, 1);
    assert.equal(history[0].metadata.versions[1], history[0].id);

    const [original] = history[0].metadata.versions;
    const switched = await user.call('PUT', `/v1/sessions/${chat.id}/active`, { message_id: original });
    assert.equal(switched.status, 200);
    const back = await user.history(chat.id);
    assert.deepEqual(texts(back), oldBranch, 'the old version and everything after it were kept on their branch');
    assert.equal(switched.body.active_leaf_id, back[3].id, 'below the switched message, the newest descendant');
    assert.equal(back[0].metadata.version_index, 0);

    // Continuing now goes on from the branch that is active again.
    const continued = await reloaded(user, chat);
    await continued.sendMessage({ text: 'And copper?' });
    assert.deepEqual(lastCall(), [
      'user: Shingle or metal?', `assistant: ${oldBranch[1]}`, 'user: What does metal cost?', `assistant: ${oldBranch[3]}`,
      'user: And copper?',
    ]);
  });
}

test('the same message id with the same text is a retry: the stored reply, the model not called', async () => {
  const user = newUser();
  const chat = await conversation(user, 'What is a drip edge?', 'Where does it go?');
  const [, , question, answer] = chat.messages;
  const calls = model().calls.length;

  await chat.sendMessage({ text: 'Where does it go?', messageId: question.id });

  assert.equal(chat.status, 'ready', String(chat.error));
  assert.equal(model().calls.length, calls, 'the model was not called');
  assert.deepEqual(texts(chat.messages).slice(2), ['Where does it go?', textOf(answer)]);
  assert.equal(chat.messages[3].id, answer.id);
  const history = await user.history(chat.id);
  assert.equal(history.length, 4);
  assert.equal(history[2].metadata.versions, undefined, 'no new version');
});

test('a retry after a failed reply calls the model again', async () => {
  const user = newUser();
  const chat = new TestChat({ user });
  model().failNext(1);
  const calls = model().calls.length;

  await chat.sendMessage({ text: 'Is this flashing enough?' });
  assert.equal(chat.status, 'error');
  assert.equal(model().calls.length, calls + 1);
  const [question] = chat.messages;
  const expected = nextReply();

  await chat.sendMessage({ text: 'Is this flashing enough?', messageId: question.id });

  assert.equal(chat.status, 'ready', String(chat.error));
  assert.equal(model().calls.length, calls + 2, 'the model was called again');
  assert.deepEqual(lastCall(), ['user: Is this flashing enough?'], 'the failed reply is not part of what the model sees');
  assert.deepEqual(texts(chat.messages), ['Is this flashing enough?', expected]);
  const history = await user.history(chat.id);
  assert.deepEqual(texts(history), ['Is this flashing enough?', expected], 'the question is stored once');
  assert.equal(history[1].metadata.status, 'complete');
});

test('switching versions: 404 for an unknown or another user\'s message, 409 while a reply runs', async () => {
  const owner = newUser();
  const chat = await conversation(owner, 'First question');
  await chat.regenerate();
  assert.equal(chat.messages[1].metadata.versions?.length, 2, 'the regenerated reply has two versions');
  const [older] = chat.messages[1].metadata.versions;

  const unknown = await owner.call('PUT', `/v1/sessions/${chat.id}/active`, { message_id: 'no-such-message' });
  assert.equal(unknown.status, 404);
  const intruder = await newUser().call('PUT', `/v1/sessions/${chat.id}/active`, { message_id: older });
  assert.equal(intruder.status, 404);

  const hold = model().holdNext();
  const sending = chat.sendMessage({ text: 'Second question' });
  await hold.started;
  const busy = await owner.call('PUT', `/v1/sessions/${chat.id}/active`, { message_id: older });
  hold.release();
  await sending;
  assert.equal(busy.status, 409);
  assert.equal(chat.status, 'ready', String(chat.error));
  assert.deepEqual(texts(await owner.history(chat.id)).slice(0, 1), ['First question']);
  assert.equal((await owner.history(chat.id)).length, 4, 'the refused switch changed nothing');
});
