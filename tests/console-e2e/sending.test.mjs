// Sending in the chat console when things go wrong, in headless Chromium against the running service (see
// scripts/test-console.sh): a send whose answer is lost (after the service stored the message, or before it reached
// it), a 503 after the message was stored, a message that waits for its photos' uploads, and a send whose fate the
// page never learnt, sent again from its draft after a reload. The service is the real one; the tests only hold, cut
// or replace the answer the page gets, as a network or a failing service would.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  LAST_CHUNK, assertClean, baseUrl, canvasPng, chatThroughApi, link, openConsole, send, signInWithLink, storedQuestions,
  useBrowser, waitForIdle, waitForReply,
} from './console.mjs';

const TIMEOUT = { timeout: 90_000 };
const browser = useBrowser();
const token = new URL(link).hash.slice('#token='.length);

/**
 * Sends the page's POST /v1/chat to the service itself, so the service stores the message and starts its reply, and
 * answers once the service has answered 200; the reply goes on in the service whatever the page is told.
 */
async function deliver(request) {
  const response = await fetch(request.url(), {
    method: 'POST',
    headers: { Authorization: request.headers().authorization, 'Content-Type': 'application/json' },
    body: request.postData(),
  });
  assert.equal(response.status, 200, 'the service accepted the message');
  await response.body.cancel();
}

/** A tab signed in through the printed link, showing the conversation `chatId`. */
async function tabOn(chatId) {
  const tab = await openConsole(browser());
  await signInWithLink(tab.page);
  await tab.page.goto(`${baseUrl}/#chat=${chatId}`);
  await tab.page.reload();
  await tab.page.locator('#message-list li.message.assistant').first().waitFor();
  return tab;
}

/**
 * A signed-in tab (on conversation `chatId`, or a new chat) whose photo uploads are each held until `release()` lets
 * them through to the service; `attach(name)` attaches a PNG and answers once its upload is held.
 */
async function composerWithHeldUploads(chatId = null) {
  const tab = chatId ? await tabOn(chatId) : await openConsole(browser());
  const { page } = tab;
  if (!chatId) {
    await signInWithLink(page);
  }
  let held;
  let gate;
  await page.route(`${baseUrl}/v1/files`, async (route) => {
    await new Promise((resolve) => {
      gate = resolve;
      held();
    });
    await route.continue();
  });
  return {
    tab,
    page,
    prompt: page.getByRole('textbox', { name: 'Message' }),
    cancel: page.getByRole('button', { name: 'Cancel', exact: true }),
    async attach(name) {
      const reached = new Promise((resolve) => { held = resolve; });
      const png = Buffer.from(await canvasPng(page, 320, 240, '#8a5a2b'), 'base64');
      await page.locator('#attach-input').setInputFiles({ name, mimeType: 'image/png', buffer: png });
      await reached;
    },
    release: () => gate(),
  };
}

describe('sending when the network is slow or fails', () => {
  test('a send whose answer is lost after the service stored it shows the message as stored and follows its reply', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    await page.route(`${baseUrl}/v1/chat`, async (route) => {
      await deliver(route.request());
      await route.abort('connectionreset');
    }, { times: 1 });

    const question = `Lost answer ${randomUUID().slice(0, 8)}`;
    await send(page, question);
    const done = await waitForReply(page, { includes: [`You asked: "${question}"`, LAST_CHUNK] });
    await waitForIdle(page);
    assert.equal(done.replies, 1);
    assert.match(await page.locator('#notice-text').textContent(), /your message reached the service/);
    const prompt = page.getByRole('textbox', { name: 'Message' });
    assert.equal(await prompt.inputValue(), '', 'the stored message is not put back into the composer');
    assert.equal(await page.locator('#message-list li.message.user', { hasText: question }).count(), 1);
    const chatId = await page.evaluate(() => location.hash.slice('#chat='.length));
    assert.deepEqual(await storedQuestions(token, chatId), [question]);
    await page.locator('#session-list .session-title', { hasText: question }).waitFor();
    await assertClean(tab);
  });

  test('a send that never reached the service, or was refused 503 before it was stored, goes back into the composer and goes again under the same id', TIMEOUT, async () => {
    const chatId = randomUUID();
    await chatThroughApi(token, chatId, 'First question');
    const tab = await tabOn(chatId);
    const { page } = tab;
    const sent = [];
    const answers = [
      (route) => route.abort('internetdisconnected'),
      (route) => route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 503, title: 'Service unavailable', code: 'unavailable' }),
      }),
    ];
    await page.route(`${baseUrl}/v1/chat`, async (route) => {
      sent.push(route.request().postDataJSON().message.id);
      const answer = answers.shift();
      await (answer ? answer(route) : route.continue());
    });
    const prompt = page.getByRole('textbox', { name: 'Message' });
    const question = 'Is the ridge vent big enough?';

    await send(page, question);
    await page.locator('#notice').waitFor();
    await page.waitForFunction(() => !document.getElementById('prompt').disabled);
    assert.equal(await prompt.inputValue(), question, 'the message is back in the composer');
    assert.equal(await page.locator('#message-list li.message.user', { hasText: question }).count(), 0);
    assert.match(await page.locator('#notice-text').textContent(), /^Lost the connection.* Your message was not stored: it is back in the composer/);

    await prompt.press('Enter');
    await page.locator('#notice-text', { hasText: 'temporarily unavailable' }).waitFor();
    await page.locator('#notice-text', { hasText: 'it is back in the composer' }).waitFor();
    assert.equal(await prompt.inputValue(), question);

    await prompt.press('Enter');
    await waitForReply(page, { includes: [`You asked: "${question}"`, LAST_CHUNK] });
    await waitForIdle(page);
    assert.equal(sent.length, 3);
    assert.deepEqual(new Set(sent).size, 1, `every attempt under the first one's id: ${sent}`);
    assert.equal(await prompt.inputValue(), '');
    assert.deepEqual(await storedQuestions(token, chatId), ['First question', question]);
    await assertClean(tab);
  });

  test('a 503 that comes after the service stored the message shows it as stored, not back in the composer, so it is never sent twice', TIMEOUT, async () => {
    const chatId = randomUUID();
    await chatThroughApi(token, chatId, 'Before the outage');
    const tab = await tabOn(chatId);
    const { page } = tab;
    // What the service answers when its storage fails after the message is stored (docs/faults.md: an unacknowledged
    // send may or may not be stored).
    await page.route(`${baseUrl}/v1/chat`, async (route) => {
      await deliver(route.request());
      await route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 503, title: 'Service unavailable', code: 'unavailable' }),
      });
    }, { times: 1 });

    const question = 'Stored before the 503?';
    await send(page, question);
    await page.locator('#notice').waitFor();
    await page.waitForFunction(() => !document.getElementById('prompt').disabled);
    assert.equal(await page.getByRole('textbox', { name: 'Message' }).inputValue(), '', 'the stored message is not put back to be sent again');
    assert.match(await page.locator('#notice-text').textContent(), /after storing your message/);
    const done = await waitForReply(page, { includes: [`You asked: "${question}"`, LAST_CHUNK] });
    await waitForIdle(page);
    assert.equal(done.replies, 2);
    assert.equal(await page.locator('#message-list li.message.user', { hasText: question }).count(), 1);
    assert.deepEqual(await storedQuestions(token, chatId), ['Before the outage', question]);
    await assertClean(tab);
  });

  test('while photos upload, the message waiting for them is locked in the composer until it is sent or Cancel', TIMEOUT, async () => {
    const { tab, page, prompt, cancel, attach, release } = await composerWithHeldUploads();

    await attach('valley.png');
    await prompt.fill('What is this valley made of?');
    await prompt.press('Enter');
    await prompt.press('End');
    await page.keyboard.type(' And the flashing?');
    assert.equal(await prompt.inputValue(), 'What is this valley made of?', 'nothing is typed into a message waiting for its photos');
    assert.equal(await prompt.evaluate((field) => field.readOnly), true, 'the composer is locked while the photo uploads');
    assert.equal(await cancel.isVisible(), true, 'Cancel is offered meanwhile');
    await prompt.press('Escape');
    await cancel.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#message-list li').count(), 0, 'Cancel sends nothing');
    await page.keyboard.type(' And the flashing?');
    await prompt.press('Enter');
    await cancel.waitFor();
    release();
    const sent = 'What is this valley made of? And the flashing?';
    await waitForReply(page, { includes: [`You asked: "${sent}"`, 'I received 1 image: 320×240 PNG.', LAST_CHUNK] });
    await waitForIdle(page);
    assert.equal(await prompt.inputValue(), '');
    assert.equal(await page.locator('#attachments').isHidden(), true);
    const chatId = await page.evaluate(() => location.hash.slice('#chat='.length));
    assert.deepEqual(await storedQuestions(token, chatId), [sent]);
    await assertClean(tab);
  });

  test('opening another conversation while a message waits for its photos sends it nowhere: it waits, photos and all, as the draft of its own', TIMEOUT, async () => {
    const chatId = randomUUID();
    await chatThroughApi(token, chatId, 'Chimney inspection');
    const { tab, page, prompt, attach, release } = await composerWithHeldUploads(chatId);

    await attach('chimney.png');
    await prompt.fill('And the chimney crown?');
    await prompt.press('Enter');
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.locator('#chat-title', { hasText: 'New chat' }).waitFor();
    assert.equal(await prompt.inputValue(), '', 'the message is not carried into the new chat');
    assert.equal(await page.locator('#attachments').isHidden(), true, 'nor its photo');
    assert.equal(await prompt.evaluate((field) => field.readOnly), false);
    assert.match(await page.locator('#notice-text').textContent(),
      /Your message was not sent: another conversation was opened.* as the draft of the conversation it was written in/);
    release();

    await page.locator(`#session-list li[data-id="${chatId}"] .session-open`).click();
    await page.locator('#attachments li[data-state="uploaded"] img[alt="chimney.png"]').waitFor();
    assert.equal(await prompt.inputValue(), 'And the chimney crown?', 'the message waits in its conversation');
    assert.equal(await page.locator('#message-list li.message.user', { hasText: 'And the chimney crown?' }).count(), 0);
    assert.deepEqual(await storedQuestions(token, chatId), ['Chimney inspection'], 'sent nowhere meanwhile');
    await prompt.press('Enter');
    await waitForReply(page, { includes: ['You asked: "And the chimney crown?"', 'I received 1 image: 320×240 PNG.', LAST_CHUNK] });
    await waitForIdle(page);
    assert.deepEqual(await storedQuestions(token, chatId), ['Chimney inspection', 'And the chimney crown?']);
    await assertClean(tab);
  });

  test('a send whose fate the page could not learn stays the draft across a reload, and goes again under the same id: stored once', TIMEOUT, async () => {
    const chatId = randomUUID();
    await chatThroughApi(token, chatId, 'Before the blackout');
    const tab = await tabOn(chatId);
    const { page } = tab;
    const prompt = page.getByRole('textbox', { name: 'Message' });
    const sent = [];
    // The message reaches the service but its answer is lost, and the page cannot read the conversation to find out.
    await page.route(`${baseUrl}/v1/chat`, async (route) => {
      sent.push(route.request().postDataJSON().message.id);
      if (sent.length > 1) {
        await route.continue();
        return;
      }
      await deliver(route.request());
      await route.abort('connectionreset');
    });
    await page.route(`${baseUrl}/v1/sessions/${chatId}/messages?limit=*`, (route) => route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ status: 503, title: 'Service unavailable', code: 'unavailable' }),
    }), { times: 1 });

    const question = 'Did the flashing survive the storm?';
    await send(page, question);
    await page.locator('#notice-text', { hasText: 'could not check whether your message was stored' }).waitFor();
    assert.equal(await prompt.inputValue(), question);

    await page.reload();
    await waitForReply(page, { includes: [`You asked: "${question}"`, LAST_CHUNK] });
    await waitForIdle(page);
    assert.equal(await prompt.inputValue(), question, 'the draft is kept: the page never learnt that it was stored');
    const again = page.waitForRequest((request) => request.url() === `${baseUrl}/v1/chat`);
    await prompt.press('Enter');
    await again;
    await waitForIdle(page);
    assert.equal(sent.length, 2);
    assert.equal(sent[1], sent[0], 'sent again under the id it first went under');
    assert.deepEqual(await storedQuestions(token, chatId), ['Before the blackout', question], 'stored once');
    await page.locator('#message-list li.message.user', { hasText: question }).nth(1).waitFor({ state: 'detached' });
    assert.equal(await prompt.inputValue(), '');
    await assertClean(tab);
  });
});
