// Drafts in the chat console, in headless Chromium against the running service (see scripts/test-console.sh): each
// conversation (and the new chat, with its persona) keeps its own unsent message across switching and reloading, per
// user in one browser; a draft goes when its message is sent, stays when the send fails, and goes with its deleted
// conversation; a draft's photos wait with it while the page lives; two tabs share the drafts, and a draft sent in one
// is not left in the other; a draft's photos, and the sentence asking for them after a reload, stay in the tab they
// were attached in; a conversation renamed, deleted or started in one tab changes the other's sidebar at once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  LAST_CHUNK, anotherTab, assertClean, baseUrl, canvasPng, chatIdOf, chatThroughApi, link, openConsole, secondUserToken,
  send, signInWithLink, storedQuestions, useBrowser, waitForIdle, waitForReply,
} from './console.mjs';

const TIMEOUT = { timeout: 90_000 };
const browser = useBrowser();
const token = new URL(link).hash.slice('#token='.length);

/** The user id a token names (its `sub`). */
function userOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).sub;
}

/** The drafts this browser keeps, as { storage key: text }. */
function keptDrafts(page) {
  return page.evaluate(() => Object.fromEntries(Object.keys(localStorage)
    .filter((key) => key.startsWith('copilot.draft.'))
    .map((key) => [key, JSON.parse(localStorage.getItem(key)).text])));
}

/** Opens conversation `chatId` from the sidebar. */
async function openFromSidebar(page, chatId) {
  await page.locator(`#session-list li[data-id="${chatId}"] .session-open`).click();
  await page.waitForFunction((id) => location.hash === `#chat=${id}`, chatId);
  await page.locator('#message-list li.message.user').first().waitFor();
}

/** Conversations of the demo user made through the API, one per text, in parallel. */
async function conversations(...texts) {
  const ids = texts.map(() => randomUUID());
  await Promise.all(ids.map((id, i) => chatThroughApi(token, id, texts[i])));
  return ids;
}

/** A fresh tab signed in through the printed link, and its message field. */
async function signedIn() {
  const tab = await openConsole(browser());
  await signInWithLink(tab.page);
  return { tab, page: tab.page, prompt: tab.page.getByRole('textbox', { name: 'Message' }) };
}

/** The persona conversation `chatId` was started with, as the service keeps it. */
async function personaOf(chatId) {
  const response = await fetch(`${baseUrl}/v1/sessions/${chatId}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  return (await response.json()).persona;
}

/** Waits until the message field of `page` shows `text` (another tab's change taken up), and says what it showed if not. */
async function waitForComposer(page, text, why) {
  try {
    await page.waitForFunction((wanted) => document.getElementById('prompt').value === wanted, text, { timeout: 10_000 });
  } catch (error) {
    const shown = await page.locator('#prompt').inputValue();
    throw new Error(`${why}: waited for the composer to show ${JSON.stringify(text)}; it shows ${JSON.stringify(shown)}`, { cause: error });
  }
}

/** Waits until this browser's draft of `key` (a conversation's id, or 'new') holds the ids of a message being sent. */
async function waitForSending(page, key) {
  await page.waitForFunction((suffix) => Object.keys(localStorage)
    .some((k) => k.startsWith('copilot.draft.') && k.endsWith(suffix) && JSON.parse(localStorage.getItem(k)).messageId), `.${key}`);
}

/** Loads the page again (a change of the address's fragment alone does not) and waits for its sidebar. */
async function reload(page) {
  await page.reload();
  await page.locator('#app').waitFor({ state: 'visible' });
  await page.locator('#session-list li, #sessions-empty:not([hidden])').first().waitFor();
}

describe('drafts', () => {
  test('each conversation, and the new chat, keeps its own unsent message across switching and a reload', TIMEOUT, async () => {
    const [first, second] = await conversations('Drafts: the attic', 'Drafts: the cellar');
    const { tab, page, prompt } = await signedIn();
    const newChat = page.getByRole('button', { name: 'New chat' });
    const marked = (id) => page.locator(`#session-list li[data-id="${id}"] .session-draft`).count();

    await prompt.fill('For a new conversation: gutter guards');
    await openFromSidebar(page, first);
    assert.equal(await prompt.inputValue(), '', 'the new chat\'s text is not carried into a conversation');
    await prompt.fill('Attic draft, unsent');
    await openFromSidebar(page, second);
    assert.equal(await prompt.inputValue(), '');
    await prompt.fill('Cellar draft,\nwith a second line');
    assert.equal(await marked(first), 1, 'the sidebar marks a conversation with a draft');
    assert.equal(await marked(second), 1);

    await openFromSidebar(page, first);
    assert.equal(await prompt.inputValue(), 'Attic draft, unsent');
    await newChat.click();
    assert.equal(await prompt.inputValue(), 'For a new conversation: gutter guards');

    await reload(page);
    assert.equal(await prompt.inputValue(), 'For a new conversation: gutter guards', 'the new chat\'s draft survives a reload');
    await openFromSidebar(page, second);
    assert.equal(await prompt.inputValue(), 'Cellar draft,\nwith a second line');
    await reload(page);
    assert.equal(await prompt.inputValue(), 'Cellar draft,\nwith a second line', 'a conversation\'s draft survives a reload');
    await openFromSidebar(page, first);
    assert.equal(await prompt.inputValue(), 'Attic draft, unsent');

    await prompt.fill('');
    assert.equal(await marked(first), 0, 'an emptied composer leaves no draft');
    assert.deepEqual(await storedQuestions(token, first), ['Drafts: the attic'], 'nothing was sent');
    assert.deepEqual(await storedQuestions(token, second), ['Drafts: the cellar']);
    await assertClean(tab);
  });

  test('another user signed in in the same browser never sees the drafts, and Sign out forgets them', TIMEOUT, async () => {
    const { tab, page, prompt } = await signedIn();
    await prompt.fill('Only for the demo user');

    // The second user signs in in the same browser, whose localStorage holds the demo user's draft.
    await page.goto(`${baseUrl}/#token=${secondUserToken}`);
    await reload(page);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('copilot.token')), secondUserToken);
    assert.equal(await prompt.inputValue(), '', 'the new chat shows none of the demo user\'s draft');
    await prompt.fill('Only for the second user');

    await page.goto(link);
    await reload(page);
    assert.equal(await prompt.inputValue(), 'Only for the demo user');
    const [demoUser, secondUser] = [userOf(token), userOf(secondUserToken)];
    assert.deepEqual(await keptDrafts(page), {
      [`copilot.draft.${demoUser}.new`]: 'Only for the demo user',
      [`copilot.draft.${secondUser}.new`]: 'Only for the second user',
    });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#prompt').inputValue(), '', 'nothing of the user stays in the page, hidden or not');
    assert.deepEqual(await keptDrafts(page), { [`copilot.draft.${secondUser}.new`]: 'Only for the second user' },
      'Sign out forgets the user\'s drafts, and only theirs');
    await page.goto(link);
    await reload(page);
    assert.equal(await prompt.inputValue(), '');
    await assertClean(tab);
  });

  test('a draft stays when its send fails, also across a reload, and goes once it is sent', TIMEOUT, async () => {
    const { tab, page, prompt } = await signedIn();
    await page.route(`${baseUrl}/v1/chat`, (route) => route.fulfill({
      status: 429,
      contentType: 'application/problem+json',
      headers: { 'Retry-After': '1' },
      body: JSON.stringify({ status: 429, title: 'Too many requests', code: 'rate_limited' }),
    }), { times: 1 });

    const question = 'Sent at the second try';
    await send(page, question);
    await page.locator('#notice-text', { hasText: 'Too many requests' }).waitFor();
    assert.equal(await prompt.inputValue(), question, 'the refused message is back in the composer');
    await reload(page);
    assert.equal(await prompt.inputValue(), question, 'and still there after a reload');

    await prompt.press('Enter');
    await waitForReply(page, { includes: [`You asked: "${question}"`, LAST_CHUNK] });
    await waitForIdle(page);
    assert.equal(await prompt.inputValue(), '');
    assert.deepEqual(await keptDrafts(page), {}, 'the sent message leaves no draft');
    const chatId = await page.evaluate(() => location.hash.slice('#chat='.length));
    await reload(page);
    await page.locator('#message-list li.message.assistant').first().waitFor();
    assert.equal(await prompt.inputValue(), '', 'the conversation shows no draft after a reload');
    await page.getByRole('button', { name: 'New chat' }).click();
    assert.equal(await prompt.inputValue(), '', 'nor does the new chat');
    assert.deepEqual(await storedQuestions(token, chatId), [question]);
    await assertClean(tab);
  });

  test('a deleted conversation\'s draft goes with it, deleted in the page or elsewhere', TIMEOUT, async () => {
    const [here, elsewhere, unopened] = await conversations('Drafts: delete here', 'Drafts: delete elsewhere', 'Drafts: never opened again');
    const { tab, page, prompt } = await signedIn();
    for (const id of [here, elsewhere, unopened]) {
      await openFromSidebar(page, id);
      await prompt.fill(`Draft of ${id}`);
    }
    const holds = async (id) => Object.keys(await keptDrafts(page)).some((key) => key.endsWith(`.${id}`));
    assert.equal(await holds(here), true);

    await page.getByRole('button', { name: 'Delete “Drafts: delete here”' }).click();
    await page.getByRole('dialog', { name: 'Delete conversation?' }).getByRole('button', { name: 'Delete' }).click();
    await page.locator(`#session-list li[data-id="${here}"]`).waitFor({ state: 'detached' });
    assert.equal(await holds(here), false, 'deleted in the page');

    // Deleted on another device: the page finds out when it opens the conversation, or when it starts.
    for (const id of [elsewhere, unopened]) {
      const response = await fetch(`${baseUrl}/v1/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
      assert.equal(response.status, 204);
    }
    await page.locator(`#session-list li[data-id="${elsewhere}"] .session-open`).click();
    await page.locator('#notice', { hasText: 'no longer exists' }).waitFor();
    assert.equal(await page.locator('#chat-title').textContent(), 'New chat');
    assert.equal(await prompt.inputValue(), '');
    assert.equal(await holds(elsewhere), false, 'opened after it was deleted elsewhere');
    assert.equal(await holds(unopened), true);
    await reload(page);
    await page.waitForFunction((id) => !Object.keys(localStorage).some((key) => key.endsWith(`.${id}`)), unopened);
    await assertClean(tab);
  });

  test('a draft\'s photos wait with it while another conversation is open; after a reload it asks for them again', TIMEOUT, async () => {
    const [stain, other] = await conversations('Drafts: the ceiling stain', 'Drafts: something else');
    const { tab, page, prompt } = await signedIn();
    const photo = page.locator('#attachments li[data-state="uploaded"] img[alt="stain.png"]');
    const png = Buffer.from(await canvasPng(page, 400, 300, '#6b4f2a'), 'base64');

    await openFromSidebar(page, stain);
    await page.locator('#attach-input').setInputFiles({ name: 'stain.png', mimeType: 'image/png', buffer: png });
    await photo.waitFor();
    await prompt.fill('Is this stain from the roof?');
    await openFromSidebar(page, other);
    assert.equal(await page.locator('#attachments').isHidden(), true, 'the photo is not carried into another conversation');
    assert.equal(await prompt.inputValue(), '');
    await openFromSidebar(page, stain);
    await photo.waitFor();
    assert.equal(await prompt.inputValue(), 'Is this stain from the roof?');

    await reload(page);
    assert.equal(await prompt.inputValue(), 'Is this stain from the roof?');
    assert.equal(await page.locator('#attachments').isHidden(), true);
    await page.locator('#notice-text', { hasText: 'The photos of your unsent message (“stain.png”) are not kept when the page reloads' }).waitFor();
    await page.locator('#attach-input').setInputFiles({ name: 'stain.png', mimeType: 'image/png', buffer: png });
    await photo.waitFor();
    await prompt.press('Enter');
    await waitForReply(page, { includes: ['You asked: "Is this stain from the roof?"', 'I received 1 image: 400×300 PNG.', LAST_CHUNK] });
    await waitForIdle(page);
    assert.deepEqual(await keptDrafts(page), {});
    await reload(page);
    assert.equal(await page.locator('#notice').isHidden(), true, 'the sent draft asks for nothing');
    assert.deepEqual(await storedQuestions(token, stain), ['Drafts: the ceiling stain', 'Is this stain from the roof?']);
    await assertClean(tab);
  });

  test('the new chat keeps the persona picked with its draft across switching and a reload, and its message goes with it', TIMEOUT, async () => {
    const managers = randomUUID();
    await chatThroughApi(token, managers, 'Drafts: a project manager\'s conversation', { persona: 'pm' });
    const { tab, page, prompt } = await signedIn();
    const persona = page.getByLabel('Persona');
    const newChat = page.getByRole('button', { name: 'New chat' });
    assert.equal(await persona.inputValue(), 'field', 'a new chat starts with the field technician');

    await persona.selectOption('exec');
    await prompt.fill('Drafts: the budget for next year\'s roofs');
    await openFromSidebar(page, managers);
    assert.equal(await persona.inputValue(), 'pm', 'a conversation shows its own persona');
    assert.equal(await persona.isDisabled(), true, 'and it cannot be changed');
    await newChat.click();
    assert.equal(await persona.inputValue(), 'exec', 'the new chat\'s persona is the one picked with its draft, not the conversation\'s');
    assert.equal(await persona.isDisabled(), false);
    await reload(page);
    assert.equal(await persona.inputValue(), 'exec', 'and it survives a reload');
    assert.equal(await prompt.inputValue(), 'Drafts: the budget for next year\'s roofs');

    // Reloaded on the other conversation, then back to the new chat, whose message goes with the persona picked.
    await openFromSidebar(page, managers);
    await reload(page);
    await page.locator('#chat-persona', { hasText: 'Project manager' }).waitFor();
    await newChat.click();
    assert.equal(await persona.inputValue(), 'exec');
    await prompt.press('Enter');
    await waitForReply(page, { includes: ['You asked: "Drafts: the budget for next year\'s roofs"', LAST_CHUNK] });
    await waitForIdle(page);
    const started = await chatIdOf(page);
    assert.equal(await personaOf(started), 'exec', 'the new chat\'s message went with the persona picked for it');
    await page.locator('#chat-persona', { hasText: 'Executive' }).waitFor();

    // A conversation's own persona goes with its messages whatever was picked for the new chat.
    await openFromSidebar(page, managers);
    await send(page, 'Drafts: and the schedule?');
    await waitForReply(page, { includes: ['You asked: "Drafts: and the schedule?"', LAST_CHUNK] });
    await waitForIdle(page);
    assert.deepEqual(await storedQuestions(token, managers), ['Drafts: a project manager\'s conversation', 'Drafts: and the schedule?']);
    assert.equal(await personaOf(managers), 'pm');

    // The persona picked stays with the new chat, also before anything is typed into it.
    await newChat.click();
    assert.equal(await persona.inputValue(), 'exec', 'the next new chat starts with the persona last picked for one');
    await persona.selectOption('pm');
    await openFromSidebar(page, started);
    assert.equal(await persona.inputValue(), 'exec');
    await newChat.click();
    assert.equal(await persona.inputValue(), 'pm');
    await assertClean(tab);
  });

  test('two tabs on one conversation share its draft: the tab not being edited follows, and a draft sent in one is not left in the other', TIMEOUT, async () => {
    const [shared] = await conversations('Drafts: two tabs, one conversation');
    const { tab, page: first, prompt: firstPrompt } = await signedIn();
    const second = await anotherTab(tab);
    await signInWithLink(second);
    const secondPrompt = second.getByRole('textbox', { name: 'Message' });
    await openFromSidebar(first, shared);
    await openFromSidebar(second, shared);

    // Typed in the first tab: the second, whose message field is not being edited, shows it.
    await firstPrompt.fill('Is the flashing');
    await waitForComposer(second, 'Is the flashing', 'the tab not being edited follows the draft');
    // The person moves to the second tab and goes on there: the first follows.
    await firstPrompt.blur();
    await secondPrompt.fill('Is the flashing around the chimney sealed?');
    await waitForComposer(first, 'Is the flashing around the chimney sealed?', 'the first tab follows in turn');

    // Sent from the second tab: the first is left with nothing to send again, and shows the message and its reply.
    await secondPrompt.press('Enter');
    await waitForComposer(first, '', 'a draft sent in another tab leaves the composer');
    await waitForReply(first, { includes: ['You asked: "Is the flashing around the chimney sealed?"', LAST_CHUNK] });
    await waitForIdle(first);
    await waitForIdle(second);
    await firstPrompt.press('Enter');
    assert.equal(await first.locator('#message-list li.message.user').count(), 2, 'nothing is left to send again');
    await firstPrompt.blur();
    assert.deepEqual(await storedQuestions(token, shared),
      ['Drafts: two tabs, one conversation', 'Is the flashing around the chimney sealed?'], 'sent once');

    // Sent from the second tab while the first is being edited: the words typed there since stay, as a new draft.
    await secondPrompt.fill('Check the gutters');
    await waitForComposer(first, 'Check the gutters', 'the tab not being edited follows the draft');
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await second.route(`${baseUrl}/v1/chat`, async (route) => {
      await held;
      await route.continue();
    }, { times: 1 });
    await secondPrompt.press('Enter');
    await waitForSending(first, shared);
    await firstPrompt.press('End');
    await firstPrompt.pressSequentially(' and the downpipes');
    release();
    await waitForReply(first, { includes: ['You asked: "Check the gutters"', LAST_CHUNK] });
    await waitForIdle(second);
    assert.equal(await firstPrompt.inputValue(), 'Check the gutters and the downpipes', 'what was typed in the tab being edited stays');
    await waitForComposer(second, 'Check the gutters and the downpipes', 'the other tab follows the new draft');
    const kept = await first.evaluate((suffix) => Object.entries(localStorage)
      .filter(([k]) => k.startsWith('copilot.draft.') && k.endsWith(suffix)).map(([, v]) => JSON.parse(v)), `.${shared}`);
    assert.deepEqual(kept.map(({ text, messageId }) => ({ text, messageId })), [{ text: 'Check the gutters and the downpipes', messageId: null }],
      'kept as the draft of a new message, not under the id of the one sent');
    assert.deepEqual(await storedQuestions(token, shared),
      ['Drafts: two tabs, one conversation', 'Is the flashing around the chimney sealed?', 'Check the gutters']);
    await assertClean(tab);
  });

  test('photos stay in the tab they were attached in: another tab showing their draft asks for none, the reloaded tab asks for them again', TIMEOUT, async () => {
    const [roof] = await conversations('Drafts: photos in one tab');
    const { tab, page: first, prompt: firstPrompt } = await signedIn();
    const second = await anotherTab(tab);
    await signInWithLink(second);
    const photo = (page) => page.locator('#attachments li[data-state="uploaded"] img[alt="flashing.png"]');
    const png = Buffer.from(await canvasPng(first, 200, 150, '#2a4f6b'), 'base64');
    const askedAgain = 'The photos of your unsent message (“flashing.png”) are not kept when the page reloads';

    await openFromSidebar(first, roof);
    await first.locator('#attach-input').setInputFiles({ name: 'flashing.png', mimeType: 'image/png', buffer: png });
    await photo(first).waitFor();
    await firstPrompt.fill('Is this flashing loose?');
    await firstPrompt.blur();

    // The second tab shows the draft's text; the photo is attached in the first, which no reload of the second changes.
    await openFromSidebar(second, roof);
    await waitForComposer(second, 'Is this flashing loose?', 'the other tab shows the draft');
    assert.equal(await second.locator('#attachments').isHidden(), true, 'the photo stays in the tab it was attached in');
    assert.equal(await second.locator('#notice').isHidden(), true,
      `the other tab asks for no photo: it is attached in the first (it said ${JSON.stringify(await second.locator('#notice-text').textContent())})`);
    await reload(second);
    await waitForComposer(second, 'Is this flashing loose?', 'the reloaded other tab shows the draft');
    assert.equal(await second.locator('#notice').isHidden(), true, 'nor after a reload of its own');

    await photo(first).waitFor();
    await reload(first);
    await first.locator('#notice-text', { hasText: askedAgain }).waitFor();
    assert.equal(await firstPrompt.inputValue(), 'Is this flashing loose?');
    assert.equal(await first.locator('#attachments').isHidden(), true);
    await reload(first);
    assert.equal(await first.locator('#notice').isHidden(), true, 'asked once');
    assert.deepEqual(await storedQuestions(token, roof), ['Drafts: photos in one tab'], 'nothing was sent');
    await assertClean(tab);
  });

  test('a conversation renamed, deleted or started in one tab changes the other tab\'s sidebar at once; a tab showing a deleted one keeps nothing of it', TIMEOUT, async () => {
    const [doomed, renamed] = await conversations('Tabs: to be deleted', 'Tabs: to be renamed');
    const { tab, page: first, prompt: firstPrompt } = await signedIn();
    const second = await anotherTab(tab);
    await signInWithLink(second);
    const secondPrompt = second.getByRole('textbox', { name: 'Message' });
    const listed = (page, id) => page.locator(`#session-list li[data-id="${id}"]`);
    const png = Buffer.from(await canvasPng(second, 200, 150, '#4f6b2a'), 'base64');

    // The second tab shows the conversation about to be deleted, with a draft and a photo.
    await openFromSidebar(second, doomed);
    await second.locator('#attach-input').setInputFiles({ name: 'doomed.png', mimeType: 'image/png', buffer: png });
    await second.locator('#attachments li[data-state="uploaded"] img[alt="doomed.png"]').waitFor();
    await secondPrompt.fill('Tabs: a draft of the deleted conversation');
    await secondPrompt.blur();

    // Renamed in the first tab: the second lists the new title, as text.
    const title = 'Tabs: <b>renamed</b> & kept';
    const rename = first.getByRole('dialog', { name: 'Rename conversation' });
    await first.getByRole('button', { name: 'Rename “Tabs: to be renamed”' }).click();
    await rename.getByLabel('New title').fill(title);
    await rename.getByLabel('New title').press('Enter');
    await listed(second, renamed).locator('.session-title', { hasText: title }).waitFor({ timeout: 10_000 });
    assert.equal(await listed(second, renamed).locator('b').count(), 0, 'the title is text, not markup');
    assert.equal(await second.getByRole('button', { name: `Rename “${title}”` }).count(), 1);

    // Deleted in the first tab: the second no longer lists it, says so, and shows the new chat with nothing of it.
    await first.getByRole('button', { name: 'Delete “Tabs: to be deleted”' }).click();
    await first.getByRole('dialog', { name: 'Delete conversation?' }).getByRole('button', { name: 'Delete' }).click();
    await listed(second, doomed).waitFor({ state: 'detached', timeout: 10_000 });
    await second.locator('#notice-text', { hasText: 'The conversation “Tabs: to be deleted” was deleted in another tab.' }).waitFor();
    assert.equal(await second.locator('#chat-title').textContent(), 'New chat');
    assert.equal(await second.evaluate(() => location.hash), '');
    assert.equal(await second.locator('#message-list li').count(), 0, 'none of its messages');
    assert.equal(await secondPrompt.inputValue(), '', 'nor its draft');
    assert.equal(await second.locator('#attachments').isHidden(), true, 'nor its photo');
    const traces = await second.evaluate((id) => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.endsWith(`.${id}`)), doomed);
    assert.deepEqual(traces, [], 'nothing of it is kept in the browser');

    // Started in the first tab: the second lists it at the top.
    await first.getByRole('button', { name: 'New chat' }).click();
    await send(first, 'Tabs: a conversation started in the first tab');
    const started = await chatIdOf(first);
    await second.locator(`#session-list li:first-child[data-id="${started}"]`).waitFor({ timeout: 10_000 });
    await waitForReply(first, { includes: [LAST_CHUNK] });
    await waitForIdle(first);
    await waitForIdle(second);
    assert.deepEqual(await storedQuestions(token, doomed), []);
    await assertClean(tab);
  });

  test('two tabs on the new chat share its draft and persona; once one sends it, the other\'s new chat is a conversation of its own', TIMEOUT, async () => {
    const { tab, page: first, prompt: firstPrompt } = await signedIn();
    const second = await anotherTab(tab);
    await signInWithLink(second);
    const secondPrompt = second.getByRole('textbox', { name: 'Message' });
    await secondPrompt.blur(); // the person works in the first tab

    await first.getByLabel('Persona').selectOption('exec');
    await firstPrompt.fill('Drafts: which crews are free next week?');
    await waitForComposer(second, 'Drafts: which crews are free next week?', 'the new chat of the tab not being edited follows');
    assert.equal(await second.getByLabel('Persona').inputValue(), 'exec', 'and so does its persona');

    await firstPrompt.press('Enter');
    await waitForReply(first, { includes: ['You asked: "Drafts: which crews are free next week?"', LAST_CHUNK] });
    const started = await chatIdOf(first);
    await waitForComposer(second, '', 'a draft sent in another tab leaves the composer');
    await second.locator(`#session-list li[data-id="${started}"]`).waitFor();
    assert.equal(await second.locator('#chat-title').textContent(), 'New chat', 'the other tab stays on its new chat');

    await send(second, 'Drafts: a question of its own');
    await waitForReply(second, { includes: ['You asked: "Drafts: a question of its own"', LAST_CHUNK] });
    const own = await chatIdOf(second);
    assert.notEqual(own, started, 'the other tab\'s next message starts a conversation of its own');
    assert.deepEqual(await storedQuestions(token, started), ['Drafts: which crews are free next week?']);
    assert.deepEqual(await storedQuestions(token, own), ['Drafts: a question of its own']);
    assert.equal(await personaOf(own), 'exec', 'with the persona picked in the other tab');
    await waitForIdle(first);
    await assertClean(tab);
  });
});
