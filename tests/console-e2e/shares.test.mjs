// Feedback on replies and read-only share links, in headless Chromium against the running service (see
// scripts/test-console.sh).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LAST_CHUNK, artifacts, assertClean, openConsole, send, signInWithLink, useBrowser, waitForIdle, waitForReply } from './console.mjs';

const TIMEOUT = { timeout: 90_000 };
const browser = useBrowser();

/** The rating controls of the last reply on the page. */
function lastRating(page) {
  return page.locator('#message-list li.message.assistant').last().getByRole('group', { name: 'Rate this reply' });
}

describe('feedback and share links', () => {
  test('a reply rated 👎 with a reason and a comment shows it after a reload, and 👎 again clears it', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    await send(page, 'How far apart should roof anchors be?');
    await waitForReply(page, { includes: [LAST_CHUNK] });
    await waitForIdle(page);

    const rating = lastRating(page);
    await rating.getByRole('button', { name: 'Bad reply' }).click();
    await page.waitForFunction(() => document.querySelector('#message-list li.message.assistant:last-child .feedback')?.dataset.rating === 'down');
    await rating.getByRole('button', { name: 'Reason…' }).click();
    await rating.getByLabel('Reason').selectOption('wrong');
    await rating.getByLabel('Comment').fill('Anchors every 8 feet, not 20');
    await rating.getByRole('button', { name: 'Save feedback' }).click();
    await rating.locator('.feedback-summary', { hasText: 'Wrong · Anchors every 8 feet, not 20' }).waitFor();

    await page.reload();
    await waitForReply(page, { includes: [LAST_CHUNK] });
    const reloaded = lastRating(page);
    assert.equal(await reloaded.getByRole('button', { name: 'Bad reply' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await reloaded.getByRole('button', { name: 'Good reply' }).getAttribute('aria-pressed'), 'false');
    assert.equal(await reloaded.locator('.feedback-summary').textContent(), 'Wrong · Anchors every 8 feet, not 20');

    await reloaded.getByRole('button', { name: 'Bad reply' }).click();
    await page.waitForFunction(() => document.querySelector('#message-list li.message.assistant:last-child .feedback')?.dataset.rating === '');
    await page.reload();
    await waitForReply(page, { includes: [LAST_CHUNK] });
    assert.equal(await lastRating(page).getByRole('button', { name: 'Bad reply' }).getAttribute('aria-pressed'), 'false');
    await page.screenshot({ path: join(artifacts, 'feedback.png') });
    await assertClean(tab);
  });

  test('Share makes a link whose read-only page shows the snapshot as text, not indexed and without a composer, until it is revoked', TIMEOUT, async () => {
    const tab = await openConsole(browser());
    const { page } = tab;
    await signInWithLink(page);
    const question = 'Leak over the <b>kitchen</b> after rain <img src=x onerror="window.__xss=1">';
    await send(page, question);
    await waitForReply(page, { includes: [LAST_CHUNK] });
    await waitForIdle(page);

    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share a read-only copy' });
    await dialog.getByLabel('Link works for').selectOption('7');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await page.waitForFunction(() => document.getElementById('share-link').value.includes('/s/'));
    const link = await dialog.getByLabel('Link', { exact: true }).inputValue();
    assert.match(link, /\/s\/[A-Za-z0-9_-]{43}$/);
    await dialog.getByRole('list', { name: 'Live links' }).getByRole('listitem').first().waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await send(page, 'A later message that the link must not show');
    await waitForReply(page, { includes: ['A later message that the link must not show'] });
    await waitForIdle(page);

    const viewer = await openConsole(browser());
    const response = await viewer.page.goto(link);
    await viewer.page.locator('#shared-messages li').first().waitFor();
    assert.equal(response.headers()['x-robots-tag'], 'noindex');
    assert.match(response.headers()['content-security-policy'], /script-src 'self';/);
    assert.equal(await viewer.page.locator('meta[name="robots"]').getAttribute('content'), 'noindex');
    const texts = await viewer.page.locator('#shared-messages li .message-body').allTextContents();
    assert.equal(texts.length, 2, `only the snapshot: ${texts}`);
    assert.equal(texts[0], question, 'the question is shown as text, exactly');
    assert.equal(await viewer.page.locator('#shared-messages b, #shared-messages img').count(), 0);
    assert.equal(await viewer.page.evaluate(() => window.__xss), undefined);
    assert.equal(await viewer.page.locator('textarea, input, form, #composer').count(), 0, 'no composer');
    assert.equal(await viewer.page.evaluate(() => sessionStorage.length), 0, 'the viewer is not signed in');
    await viewer.page.screenshot({ path: join(artifacts, 'shared.png') });

    await page.getByRole('button', { name: 'Share' }).click();
    await dialog.getByRole('button', { name: /^Revoke the link made / }).first().click();
    await dialog.locator('#share-none').waitFor({ state: 'visible' });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await viewer.page.reload();
    await viewer.page.getByRole('alert').filter({ hasText: 'This link does not exist or no longer works' }).waitFor();
    assert.equal(await viewer.page.locator('#shared-messages li').count(), 0);
    await assertClean(viewer);
    await assertClean(tab);
  });
});
