// The chat console in headless Chromium against the running service (see scripts/test-console.sh).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  FIRST_CHUNK, LAST_CHUNK, artifacts, assertClean, baseUrl, canvasPng, chatIdOf, chatThroughApi, link, openConsole,
  pagingUserToken, secondUserToken, send, signInWithLink, startRelay, useBrowser, waitForIdle, waitForReply,
} from './console.mjs';

const TIMEOUT = { timeout: 90_000 };
const browser = useBrowser();

describe('the chat console', () => {
  test('the printed link opens the console signed in, and the token leaves the address bar', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page, watch } = tab;
    const token = new URL(link).hash.slice('#token='.length);
    const response = await page.goto(link);
    await page.locator('#app').waitFor({ state: 'visible' });

    assert.equal(await page.locator('#signin').isHidden(), true);
    await page.waitForFunction(() => !location.href.includes('token'));
    assert.equal(page.url(), `${baseUrl}/`);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('copilot.token')), token);
    assert.deepEqual(watch.requests.filter((url) => url.includes(token)), [], 'the token never travels in a URL');
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    await assertClean(tab);
  });

  test('a reply streams in while the composer is disabled, then the session tops the sidebar', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    await page.getByLabel('Persona').selectOption('pm');
    await send(page, 'How do I inspect a flat roof?');

    const midway = await waitForReply(page, { includes: [FIRST_CHUNK], excludes: [LAST_CHUNK] });
    assert.equal(midway.promptDisabled, true, 'the composer is disabled while the reply streams');
    assert.equal(midway.stopVisible, true, 'Stop is offered while the reply streams');

    const done = await waitForReply(page, { includes: [FIRST_CHUNK, 'You asked: "How do I inspect a flat roof?"', LAST_CHUNK] });
    assert.equal(done.replies, 1);
    await waitForIdle(page);
    assert.equal(await page.getByRole('button', { name: 'Stop', exact: true }).isHidden(), true);
    await page.locator('#chat-persona', { hasText: 'Project manager' }).waitFor();
    const first = page.locator('#session-list li').first();
    await first.locator('.session-title', { hasText: 'How do I inspect a flat roof?' }).waitFor();
    assert.equal(await first.locator('.session-open').getAttribute('aria-current'), 'true');

    await send(page, 'And a **steep** one?');
    await waitForReply(page, { includes: ['You asked: "And a steep one?"', '1 earlier message(s)'] });
    await waitForIdle(page);
    assert.equal(await page.locator('#message-list li.message.assistant strong', { hasText: 'steep' }).count(), 1,
      'Markdown in a reply is rendered');
    await page.screenshot({ path: join(artifacts, 'console.png') });
    await assertClean(tab);
  });

  test('Stop keeps the partial reply, also after a reload', TIMEOUT, async (t) => {
    await whileTheReplyRuns(t, async (tab) => {
      const { page } = tab;
      await send(page, 'Stop me half way');
      await waitForReply(page, { includes: [FIRST_CHUNK], excludes: [LAST_CHUNK] });
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await waitForIdle(page);
      const stopped = await waitForReply(page, { includes: [FIRST_CHUNK] });
      if (stopped.text.includes(LAST_CHUNK)) {
        return 'the reply had ended before Stop reached the service';
      }
      assert.equal(stopped.status, 'Stopped');

      await page.reload();
      const reloaded = await waitForReply(page, { includes: [FIRST_CHUNK] });
      assert.equal(reloaded.text, stopped.text, 'the stored reply is what the page showed when it stopped');
      assert.equal(reloaded.status, 'Stopped');
      assert.equal(reloaded.promptDisabled, false);
      return null;
    });
  });

  test('a reload mid-reply picks the reply up where it is and follows it to the end', TIMEOUT, async (t) => {
    await whileTheReplyRuns(t, async (tab) => {
      const { page } = tab;
      await send(page, 'Reload me half way');
      const chatId = await chatIdOf(page);
      await waitForReply(page, { includes: [FIRST_CHUNK], excludes: [LAST_CHUNK] });

      await page.reload();
      assert.equal(await chatIdOf(page), chatId, 'the reload reopens the same conversation');
      const resumed = await waitForReply(page, { includes: [FIRST_CHUNK] });
      if (resumed.text.includes(LAST_CHUNK)) {
        return 'the reply had ended before the reloaded page showed it';
      }
      assert.equal(resumed.promptDisabled, true, 'the resumed reply is still streaming');
      const done = await waitForReply(page, { includes: ['You asked: "Reload me half way"', LAST_CHUNK] });
      assert.equal(done.replies, 1, 'one reply, not a second answer');
      assert.equal(done.status, '');
      await waitForIdle(page);
      assert.equal(await page.locator('#message-list li.message.user').count(), 1);
      return null;
    });
  });

  test('a reply that ends between the reloaded page reading the history and asking for the stream is shown', TIMEOUT, async (t) => {
    await whileTheReplyRuns(t, async (tab) => {
      const { page } = tab;
      await send(page, 'Finish while the page reloads');
      const chatId = await chatIdOf(page);
      await waitForReply(page, { includes: [FIRST_CHUNK], excludes: [LAST_CHUNK] });

      // The reloaded page reads the history (without the reply, which still runs); its request for the reply in
      // flight is held until the reply is stored, so it is answered 204.
      let historyHadReply;
      await page.route(`${baseUrl}/v1/sessions/${chatId}/messages?*`, async (route) => {
        const response = await route.fetch();
        const history = await response.json();
        historyHadReply ??= history.data.some((message) => message.role === 'assistant');
        await route.fulfill({ response, json: history });
      });
      let streamStatus;
      await page.route(`${baseUrl}/v1/chat/${chatId}/stream`, async (route) => {
        await untilReplyStored(chatId);
        const response = await route.fetch();
        streamStatus = response.status();
        await route.fulfill({ response });
      });
      await page.reload();
      const done = await waitForReply(page, { includes: ['You asked: "Finish while the page reloads"', LAST_CHUNK] });
      if (historyHadReply) {
        return 'the reply had ended before the reloaded page read the history';
      }
      assert.equal(streamStatus, 204, 'no reply was in flight any more when the page asked');
      assert.equal(done.replies, 1);
      assert.equal(done.promptDisabled, false);
      return null;
    });
  });

  test('a conversation can be renamed and, after confirming, deleted', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    await send(page, 'Name me later');
    await waitForReply(page, { includes: [LAST_CHUNK] });
    await waitForIdle(page);

    const rename = page.getByRole('dialog', { name: 'Rename conversation' });
    await page.getByRole('button', { name: 'Rename “Name me later”' }).click();
    await rename.getByLabel('New title').fill('Not this one');
    await rename.getByRole('button', { name: 'Cancel' }).click();
    await rename.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#chat-title').textContent(), 'Name me later', 'Cancel keeps the title');

    await page.getByRole('button', { name: 'Rename “Name me later”' }).click();
    await rename.getByLabel('New title').fill('Gutter survey, Elm Street');
    await rename.getByLabel('New title').press('Enter');
    await page.locator('#chat-title', { hasText: 'Gutter survey, Elm Street' }).waitFor();
    await page.reload();
    await page.locator('#session-list .session-title', { hasText: 'Gutter survey, Elm Street' }).waitFor();
    assert.equal(await page.locator('#session-list .session-title', { hasText: 'Name me later' }).count(), 0);

    const deleteButton = page.getByRole('button', { name: 'Delete “Gutter survey, Elm Street”' });
    await deleteButton.click();
    const confirm = page.getByRole('dialog', { name: 'Delete conversation?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal(await deleteButton.count(), 1, 'Cancel keeps the conversation');

    await deleteButton.click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await deleteButton.waitFor({ state: 'detached' });
    await page.locator('#chat-title', { hasText: 'New chat' }).waitFor();
    await page.reload();
    await page.locator('#app').waitFor({ state: 'visible' });
    await page.locator('#session-list li, #sessions-empty:not([hidden])').first().waitFor();
    assert.equal(await page.locator('#session-list .session-title', { hasText: 'Gutter survey, Elm Street' }).count(), 0);
    await assertClean(tab);
  });

  test('Regenerate streams a new version of the last reply; the switcher moves between versions by keyboard, and a reload keeps the choice', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    await send(page, 'Regenerate me');
    await waitForReply(page, { includes: [LAST_CHUNK] });
    await waitForIdle(page);
    const replyId = () => page.locator('#message-list li.message.assistant').last().getAttribute('data-id');
    const first = await replyId();
    const regenerate = page.getByRole('button', { name: 'Regenerate reply' });
    assert.equal(await regenerate.count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Edit message' }).count(), 1);

    await regenerate.click();
    const midway = await waitForReply(page, { includes: [FIRST_CHUNK], excludes: [LAST_CHUNK] });
    assert.equal(midway.replies, 1, 'the new reply takes the old one\'s place');
    assert.equal(await regenerate.count(), 0, 'no Regenerate while a reply streams');
    await waitForReply(page, { includes: ['You asked: "Regenerate me"', LAST_CHUNK] });
    await waitForIdle(page);
    const versions = page.getByRole('group', { name: 'Version 2 of 2 of this reply' });
    await versions.waitFor();
    assert.equal(await versions.textContent(), '‹2/2›');
    const second = await replyId();
    assert.notEqual(second, first);
    assert.equal(await page.locator('#message-list li.message.user').count(), 1, 'the question is shown once');
    await page.screenshot({ path: join(artifacts, 'console-versions.png') });

    await page.getByRole('button', { name: 'Previous version of this reply' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Version 1 of 2 of this reply' }).waitFor();
    assert.equal(await replyId(), first);
    // The focus stays on the switcher: at the first version, on its other arrow.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Next version of this reply');
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Version 2 of 2 of this reply' }).waitFor();
    assert.equal(await replyId(), second);
    await page.getByRole('button', { name: 'Previous version of this reply' }).press('Space');
    await page.getByRole('group', { name: 'Version 1 of 2 of this reply' }).waitFor();

    await page.reload();
    await page.getByRole('group', { name: 'Version 1 of 2 of this reply' }).waitFor();
    assert.equal(await replyId(), first, 'the reload shows the version chosen');
    await assertClean(tab);
  });

  test('Edit: Escape cancels, Shift+Enter adds a line, Enter saves; the reply answers the edited branch and the old one stays a version', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    await send(page, 'First question');
    await waitForReply(page, { includes: [LAST_CHUNK] });
    await waitForIdle(page);
    await send(page, 'Second question');
    await waitForReply(page, { includes: ['Second question', '1 earlier message(s)'] });
    await waitForIdle(page);
    const users = page.locator('#message-list li.message.user .message-body');
    const editor = page.getByRole('textbox', { name: 'Edited message' });

    await page.getByRole('button', { name: 'Edit message' }).first().click();
    assert.equal(await editor.inputValue(), 'First question');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Edited message');
    await page.keyboard.type(' changed');
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    assert.deepEqual(await users.allTextContents(), ['First question', 'Second question'], 'Escape keeps the message');

    await page.getByRole('button', { name: 'Edit message' }).first().click();
    await editor.fill('Edited question');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('on two lines');
    assert.equal(await editor.inputValue(), 'Edited question\non two lines', 'Shift+Enter adds a line');
    await page.keyboard.press('Enter');
    const done = await waitForReply(page, { includes: ['You asked: "Edited question', '0 earlier message(s)'] });
    assert.equal(done.replies, 1, 'what followed the old version is not on this branch');
    await waitForIdle(page);
    const edited = page.getByRole('group', { name: 'Version 2 of 2 of this message' });
    await edited.waitFor();
    assert.deepEqual(await users.allTextContents(), ['Edited question\non two lines']);

    await page.getByRole('button', { name: 'Previous version of this message' }).click();
    await page.getByRole('group', { name: 'Version 1 of 2 of this message' }).waitFor();
    assert.deepEqual(await users.allTextContents(), ['First question', 'Second question'], 'the old branch, whole');
    await page.reload();
    await page.getByRole('group', { name: 'Version 1 of 2 of this message' }).waitFor();
    await page.locator('#message-list li.message.assistant').nth(1).waitFor();
    assert.deepEqual(await users.allTextContents(), ['First question', 'Second question'], 'a reload keeps the branch');
    await assertClean(tab);
  });

  test('a second user signs in with a token and never sees the first user\'s conversations', TIMEOUT, async () => {
    const first = await openConsole(browser());
    await signInWithLink(first.page);
    await send(first.page, 'Private to the demo user');
    await waitForReply(first.page, { includes: [LAST_CHUNK] });
    const chatId = await chatIdOf(first.page);

    const second = await openConsole(browser());
    const { page } = second;
    await page.goto(`${baseUrl}/`);
    await page.getByRole('textbox', { name: 'Access token' }).fill(secondUserToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sessions-empty').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#session-list li').count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('copilot.token')), secondUserToken);

    await page.goto(`${baseUrl}/#chat=${chatId}`);
    await page.reload();
    await page.locator('#notice', { hasText: 'no longer exists' }).waitFor();
    assert.equal(await page.locator('#message-list li').count(), 0);
    assert.equal(await page.getByText('Private to the demo user').count(), 0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('copilot.token')), null);
    await page.getByRole('textbox', { name: 'Access token' }).fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signin-error', { hasText: 'not accepted' }).waitFor();
    await assertClean(first);
    await assertClean(second);
  });

  test('HTML in a reply is shown as text and never runs', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    const script = '<script>window.__xss=1</script>';
    const image = '<img src=x onerror="window.__xss=2">';
    await send(page, `Echo ${script} and ${image}`);
    const done = await waitForReply(page, { includes: [LAST_CHUNK] });
    await waitForIdle(page);

    assert.ok(done.text.includes(script), `the reply shows the script tag as text: ${done.text}`);
    assert.ok(done.text.includes(image), `the reply shows the img tag as text: ${done.text}`);
    assert.equal(await page.locator('#message-list script, #message-list img, #message-list [onerror]').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await page.reload();
    const reloaded = await waitForReply(page, { includes: [LAST_CHUNK] });
    assert.ok(reloaded.text.includes(script) && reloaded.text.includes(image), 'stored replies render the same way');
    assert.equal(await page.locator('#message-list script, #message-list img').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await assertClean(tab);
  });

  test('a message sent while another tab\'s reply runs gets a clear 409 message and goes back to the composer', TIMEOUT, async (t) => {
    await whileTheReplyRuns(t, async (first) => {
      await send(first.page, 'Two tabs, one conversation');
      await waitForReply(first.page, { includes: [LAST_CHUNK] });
      await waitForIdle(first.page);
      const chatId = await chatIdOf(first.page);

      const second = await openConsole(browser());
      try {
        await second.page.goto(link);
        await second.page.goto(`${baseUrl}/#chat=${chatId}`);
        await second.page.reload();
        await second.page.locator('#message-list li.message.assistant').first().waitFor();

        await send(first.page, 'A long answer, please');
        await waitForReply(first.page, { includes: [FIRST_CHUNK], excludes: [LAST_CHUNK] });
        await send(second.page, 'Me too');
        const refused = second.page.locator('#notice', { hasText: 'A reply is already being written' });
        const answered = second.page.locator('#message-list li.message.assistant', { hasText: 'You asked: "Me too"' });
        await refused.or(answered).first().waitFor();
        if (await answered.count() > 0) {
          return 'the first tab\'s reply had ended before the second tab\'s message reached the service';
        }
        assert.equal(await second.page.getByRole('textbox', { name: 'Message' }).inputValue(), 'Me too');
        assert.equal(await second.page.locator('#message-list li.message.user', { hasText: 'Me too' }).count(), 0);
        await second.page.getByRole('button', { name: 'Dismiss this message' }).click();
        await second.page.locator('#notice').waitFor({ state: 'hidden' });
        await waitForReply(first.page, { includes: ['You asked: "A long answer, please"', LAST_CHUNK] });
        await assertClean(second);
        return null;
      } finally {
        await second.context.close();
      }
    });
  });

  test('a connection lost mid-reply is reported, and the reply continues from where it was once it is back', TIMEOUT, async (t) => {
    const relay = await startRelay();
    const openThroughRelay = async () => {
      const tab = await openConsole(browser(), { origin: relay.origin });
      await tab.page.goto(`${relay.origin}/#token=${new URL(link).hash.slice('#token='.length)}`);
      await tab.page.locator('#app').waitFor({ state: 'visible' });
      return tab;
    };
    try {
      await whileTheReplyRuns(t, async ({ page }) => {
        await send(page, 'Survive a network drop');
        await waitForReply(page, { includes: [FIRST_CHUNK], excludes: [LAST_CHUNK] });

        relay.cut();
        const lost = page.locator('#notice', { hasText: 'Lost the connection while the reply was streaming' });
        const ended = page.locator('#message-list li.message.assistant', { hasText: LAST_CHUNK });
        await lost.or(ended).first().waitFor();
        const reported = await lost.isVisible();
        relay.restore();
        if (!reported) {
          return 'the reply had ended before the connection was cut';
        }
        const done = await waitForReply(page, { includes: ['You asked: "Survive a network drop"', LAST_CHUNK] });
        await waitForIdle(page);
        assert.equal(done.text.split(FIRST_CHUNK).length, 2, `the text once, not replayed twice: ${done.text}`);
        assert.equal(done.replies, 1);
        await page.locator('#notice').waitFor({ state: 'hidden' });
        return null;
      }, openThroughRelay);
    } finally {
      await relay.close();
    }
  });

  test('more conversations load as the sidebar scrolls down, older messages as the conversation scrolls up', { timeout: 180_000 }, async () => {
    const chats = Array.from({ length: 22 }, () => randomUUID());
    await Promise.all(chats.map((id, i) => chatThroughApi(pagingUserToken, id, `Conversation ${i}`)));
    const [long] = chats;
    for (let turn = 1; turn <= 10; turn++) {
      await chatThroughApi(pagingUserToken, long, `Turn ${turn}`);
    }

    const tab = await openConsole(browser());
    const { page } = tab;
    await page.goto(`${baseUrl}/#token=${pagingUserToken}`);
    const sessions = page.locator('#session-list li');
    await sessions.nth(19).waitFor();
    assert.equal(await sessions.count(), 20, 'one page of conversations at first');
    await page.locator('#session-scroll').evaluate((list) => { list.scrollTop = list.scrollHeight; });
    await sessions.nth(21).waitFor();
    assert.equal(await sessions.count(), 22);
    const titles = await page.locator('#session-list .session-title').allTextContents();
    assert.equal(new Set(titles).size, 22, 'no conversation twice');
    assert.equal(titles[0], 'Conversation 0', 'the most recently updated first');

    await page.getByRole('button', { name: 'Conversation 0', exact: false }).first().click();
    const messages = page.locator('#message-list li');
    await page.locator('#message-list li.message.user', { hasText: 'Turn 10' }).waitFor();
    assert.equal(await messages.count(), 20, 'one page of messages at first');
    assert.equal(await page.locator('#message-list li.message.user', { hasText: 'Conversation 0' }).count(), 0);
    await page.locator('#messages').evaluate((log) => { log.scrollTop = 0; });
    await page.locator('#message-list li.message.user', { hasText: 'Conversation 0' }).waitFor();
    assert.equal(await messages.count(), 22);
    const users = await page.locator('#message-list li.message.user .message-body').allTextContents();
    assert.deepEqual(users, ['Conversation 0', ...Array.from({ length: 10 }, (_, i) => `Turn ${i + 1}`)], 'oldest first, none twice');
    await assertClean(tab);
  });

  test('search: / or Ctrl+K reaches it, hits show their snippets with the matches marked as text, Enter opens the conversation at the hit', TIMEOUT, async () => {
    const token = new URL(link).hash.slice('#token='.length);
    const chatId = randomUUID();
    const job = `RG-${Math.floor(1000 + Math.random() * 9000)}`;
    const markup = '<img src=x onerror="window.__xss=3">';
    await chatThroughApi(token, chatId, `Where does the step flashing go at job ${job}? ${markup}`);
    for (let i = 0; i < 3; i++) {
      await chatThroughApi(token, chatId, `Follow-up number ${i} about the ridge vent`);
    }
    const tab = await openConsole(browser(), { viewport: { width: 390, height: 844 } });
    const { page } = tab;
    await signInWithLink(page);

    await page.locator('#messages').focus();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input', '/ outside a text field focuses the search field');
    await page.keyboard.type(`flashed ${job}`);
    await page.keyboard.press('Enter');
    const hit = page.locator('#search-list li', { hasText: job })
      .filter({ has: page.locator('.hit-details', { hasText: /^You · / }) })
      .first();
    await hit.waitFor();
    assert.deepEqual(await hit.locator('mark').allTextContents(), ['flashing', job]);
    assert.ok((await hit.textContent()).includes(markup), 'the markup in the message is shown as text');
    assert.equal(await page.locator('#search-list img, #search-list [onerror]').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);

    await hit.getByRole('button').focus();
    await page.keyboard.press('Enter');
    const target = page.locator('#message-list li.message.search-target');
    await target.waitFor();
    assert.ok((await target.textContent()).includes(job));
    assert.equal(await chatIdOf(page), chatId);
    assert.equal(await page.locator('#message-list li.message').count(), 8, 'the whole conversation, from the hit onwards too');

    await page.keyboard.press('Control+k');
    await page.locator('#search-input').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input', 'Ctrl+K focuses the search field');
    await page.keyboard.press('Escape');
    await page.locator('#session-scroll').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#search-results').isHidden(), true, 'Escape goes back to the list');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'nothing is wider than the screen');
    await assertClean(tab);
  });

  test('a search with nothing to look for yet ("how -") says what to type, with no error notice', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);

    await page.keyboard.press('Control+k');
    await page.keyboard.type('how -');
    await page.keyboard.press('Enter');

    await page.locator('#search-status', { hasText: 'Type a word or a job number' }).waitFor();
    assert.equal(await page.locator('#search-list li').count(), 0);
    assert.equal(await page.locator('#notice').isVisible(), false, 'no error notice for a query still being typed');
    await assertClean(tab);
  });

  test('a search while the service rebuilds its index says so where the results go, and the next search finds again', TIMEOUT, async () => {
    const token = new URL(link).hash.slice('#token='.length);
    const job = `RG-${Math.floor(1000 + Math.random() * 9000)}`;
    await chatThroughApi(token, randomUUID(), `Is the cricket at job ${job} flashed yet?`);
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);

    // The service's answer while it rebuilds a search index PostgreSQL lost in a crash (SearchIndexRecoveryTests
    // make the service give it for real), for the first search only.
    let rebuilding = true;
    await page.route(`${baseUrl}/v1/search?*`, async (route) => {
      if (!rebuilding) {
        await route.continue();
        return;
      }
      rebuilding = false;
      await route.fulfill({
        status: 503,
        headers: { 'Retry-After': '5' },
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 503, title: 'Search is being rebuilt', detail: 'please retry shortly', code: 'search_rebuilding' }),
      });
    });
    await page.keyboard.press('Control+k');
    await page.keyboard.type(job);
    await page.keyboard.press('Enter');
    await page.locator('#search-status', { hasText: 'Search is being rebuilt' }).waitFor();
    assert.equal(await page.locator('#search-list li').count(), 0);

    await page.keyboard.press('Enter');
    await page.locator('#search-list li', { hasText: job }).first().waitFor();
    assert.match(await page.locator('#search-status').textContent(), /result/);
    await assertClean(tab);
  });

  test('on a phone-width screen, by keyboard alone: the sidebar, Shift+Enter and Enter', TIMEOUT, async () => {
    const tab = await openConsole(browser(), { viewport: { width: 390, height: 844 } });
    const { page } = tab;
    await signInWithLink(page);
    assert.equal(await page.locator('#sidebar').isVisible(), false, 'the sidebar is folded away on a phone');

    const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, textarea, select, input')]
      .filter((control) => {
        const labelled = control.getAttribute('aria-label') || control.labels?.length || control.textContent.trim();
        return !labelled;
      })
      .map((control) => control.outerHTML));
    assert.deepEqual(unnamed, [], 'every control has an accessible name');

    const toggle = page.getByRole('button', { name: 'Show conversations' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.locator('#sidebar').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'new-chat');
    await page.keyboard.press('Enter');
    await page.locator('#sidebar').waitFor({ state: 'hidden' });

    const prompt = page.getByRole('textbox', { name: 'Message' });
    await prompt.focus();
    await page.keyboard.type('First line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    assert.equal(await prompt.inputValue(), 'First line\nsecond line');
    assert.equal(await page.locator('#message-list li').count(), 0, 'Shift+Enter does not send');
    await page.keyboard.press('Enter');
    await page.locator('#message-list li.message.user', { hasText: 'second line' }).waitFor();
    await waitForReply(page, { includes: [LAST_CHUNK] });
    await waitForIdle(page);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'prompt', 'focus returns to the composer');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'nothing is wider than the screen');
    await page.screenshot({ path: join(artifacts, 'console-phone.png') });
    await assertClean(tab);
  });

  test('on a 360 px phone the top bar fits: no sideways scrolling, every control and the persona whole, the title readable', TIMEOUT, async () => {
    const token = new URL(link).hash.slice('#token='.length);
    const chatId = randomUUID();
    await chatThroughApi(token, chatId, 'Which underlayment for a low-slope porch roof on the north side of the Hendricks house?');
    const tab = await openConsole(browser(), { viewport: { width: 360, height: 740 } });
    const { page } = tab;
    await page.goto(link);
    await page.goto(`${baseUrl}/#chat=${chatId}`);
    await page.reload();
    await page.locator('#chat-persona', { hasText: 'Field technician' }).waitFor();

    const bar = await page.evaluate(() => {
      const box = (element) => {
        const rect = element.getBoundingClientRect();
        return {
          left: rect.left, right: rect.right, width: rect.width, height: rect.height,
          clipped: element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight,
        };
      };
      return {
        scrollWidth: document.documentElement.scrollWidth,
        title: box(document.getElementById('chat-title')),
        controls: Object.fromEntries(['toggle-sidebar', 'chat-persona', 'share-open', 'sign-out']
          .map((id) => [id, box(document.getElementById(id))])),
        lineHeight: parseFloat(getComputedStyle(document.getElementById('sign-out')).lineHeight),
      };
    });
    assert.ok(bar.scrollWidth <= 360, `the page is ${bar.scrollWidth} px wide`);
    for (const [id, control] of Object.entries(bar.controls)) {
      assert.ok(control.left >= 0 && control.right <= 360, `#${id} lies within the screen: ${JSON.stringify(control)}`);
      assert.equal(control.clipped, false, `#${id} shows all of itself`);
    }
    for (const id of ['share-open', 'sign-out']) {
      assert.ok(bar.controls[id].height < 2 * bar.lineHeight, `#${id} keeps its label on one line: ${JSON.stringify(bar.controls[id])}`);
    }
    assert.ok(bar.title.width >= 64, `the title shows a few words: ${JSON.stringify(bar.title)}`);
    await page.screenshot({ path: join(artifacts, 'console-phone-360.png') });
    await assertClean(tab);
  });

  test('on a 320 px phone the composer fits: its placeholder whole, nothing cut or off the screen, also with four photos waiting', TIMEOUT, async () => {
    const tab = await openConsole(browser(), { viewport: { width: 320, height: 640 } });
    const { page } = tab;
    await signInWithLink(page);
    const prompt = page.getByRole('textbox', { name: 'Message' });
    assert.deepEqual(await composerOverflow(page), [], 'the empty composer');

    await page.setViewportSize({ width: 1280, height: 800 });
    await nextFrames(page);
    assert.match(await prompt.getAttribute('placeholder'), /Enter sends, Shift\+Enter adds a line/, 'where it fits, the placeholder names the keys');
    assert.deepEqual(await composerOverflow(page), [], 'the empty composer at 1280 px');
    await page.setViewportSize({ width: 320, height: 640 });
    await nextFrames(page);
    assert.deepEqual(await composerOverflow(page), [], 'the empty composer back at 320 px');

    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(`${baseUrl}/v1/files`, async (route) => {
      await held;
      await route.continue();
    });
    const png = Buffer.from(await canvasPng(page, 200, 150, '#557a46'), 'base64');
    await page.locator('#attach-input').setInputFiles(['north', 'south', 'east', 'west']
      .map((side) => ({ name: `porch-${side}-side-boards.png`, mimeType: 'image/png', buffer: png })));
    await prompt.fill('Which of these porch boards need replacing before the stain goes on?');
    await prompt.press('Enter');
    await page.getByRole('button', { name: 'Cancel', exact: true }).waitFor();
    assert.deepEqual(await composerOverflow(page), [], 'a message waiting for four photos, with its status and Cancel');
    await page.screenshot({ path: join(artifacts, 'console-phone-320-composer.png') });
    await prompt.press('Escape');
    release();
    await page.locator('#attachments li[data-state="uploaded"]').nth(3).waitFor();
    assert.deepEqual(await composerOverflow(page), [], 'four photos uploaded');
    await assertClean(tab);
  });
});

/**
 * Runs `scenario` in a fresh tab, signed in by `open`: a scenario whose reload, Stop, cut connection or second send has
 * to land while a reply streams (the 2.4 s after its first chunk at the offline model's pace). On a loaded machine it
 * can land after the reply ended, which proves nothing either way: the scenario then answers why, and runs again in a
 * new conversation, at most three times.
 */
async function whileTheReplyRuns(t, scenario, open = signedInTab) {
  for (let attempt = 1; ; attempt++) {
    const tab = await open();
    const inconclusive = await scenario(tab);
    if (!inconclusive) {
      await assertClean(tab);
      return;
    }
    assert.ok(attempt < 3, `three attempts, none conclusive: ${inconclusive}`);
    t.diagnostic(`attempt ${attempt}: ${inconclusive}; trying again`);
    await tab.context.close();
  }
}

/**
 * What of the composer does not fit the screen: the placeholder of the empty message field cut, any of its controls,
 * lines and photos cut or lying off the screen, or a page wider than the screen. Empty when all fits.
 */
function composerOverflow(page) {
  return page.evaluate(() => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) {
      problems.push(`the page is ${document.documentElement.scrollWidth} px wide on a ${width} px screen`);
    }
    const prompt = document.getElementById('prompt');
    if (!prompt.value && (prompt.scrollHeight > prompt.clientHeight || prompt.scrollWidth > prompt.clientWidth)) {
      problems.push(`the placeholder “${prompt.placeholder}” needs ${prompt.scrollWidth}×${prompt.scrollHeight} px, ` +
        `the field shows ${prompt.clientWidth}×${prompt.clientHeight}`);
    }
    for (const element of document.querySelectorAll('#composer *')) {
      if (element.closest('.visually-hidden, svg') || element.getClientRects().length === 0) {
        continue;
      }
      const name = element.id ? `#${element.id}` : `${element.tagName.toLowerCase()}.${element.className} “${element.textContent.trim()}”`;
      const { left, right } = element.getBoundingClientRect();
      if (left < 0 || right > width) {
        problems.push(`${name} lies off the screen: ${left}–${right}`);
      }
      if (element !== prompt && (element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight)) {
        problems.push(`${name} is cut: it needs ${element.scrollWidth}×${element.scrollHeight} px, shows ${element.clientWidth}×${element.clientHeight}`);
      }
    }
    return problems;
  });
}

/** Waits until the page has drawn twice, so that layout and what its resize observers do are done. */
function nextFrames(page) {
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** A fresh tab, signed in through the printed link. */
async function signedInTab() {
  const tab = await openConsole(browser());
  await signInWithLink(tab.page);
  return tab;
}

/** Waits until the conversation `chatId` of the signed-in user stores a reply. */
async function untilReplyStored(chatId) {
  const token = new URL(link).hash.slice('#token='.length);
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/sessions/${chatId}/messages`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    if ((await response.json()).data.some((message) => message.role === 'assistant')) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
