// Photos in the chat console, in headless Chromium against the running service (see scripts/test-console.sh): a
// photo attached through the file input and one dropped, the composer's thumbnails, upload errors as sentences, the
// photo reaching the offline model, and the photo shown in the conversation after a reload, full size on click.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  LAST_CHUNK, artifacts, assertClean, canvasPng, link, openConsole, send, useBrowser, waitForIdle, waitForReply,
} from './console.mjs';

const browser = useBrowser();

/** Drops a PNG file on the conversation, as dragging it from the desktop does. */
function dropPng(page, name, base64) {
  return page.evaluate(([fileName, data]) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], fileName, { type: 'image/png' }));
    const target = document.getElementById('messages');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }
  }, [name, base64]);
}

test('a photo attached in the composer reaches the model and shows in the conversation after a reload, full size on click', { timeout: 90_000 }, async () => {
  const tab = await openConsole(browser());
  const { page } = tab;
  const response = await page.goto(link);
  assert.match(response.headers()['content-security-policy'], /img-src 'self' blob: data:;/);
  await page.locator('#app').waitFor({ state: 'visible' });
  const attachments = page.locator('#attachments li');

  const roof = await canvasPng(page, 640, 480, '#b5651d');
  await page.locator('#attach-input').setInputFiles({ name: 'roof.png', mimeType: 'image/png', buffer: Buffer.from(roof, 'base64') });
  await page.locator('#attachments li[data-state="uploaded"] img[alt="roof.png"]').waitFor();

  await dropPng(page, 'gutter.png', await canvasPng(page, 320, 200, '#3a6ea5'));
  await page.locator('#attachments li[data-state="uploaded"] img[alt="gutter.png"]').waitFor();
  await page.getByRole('textbox', { name: 'Message' }).fill('What is wrong with this roof?');
  await page.screenshot({ path: join(artifacts, 'console-photo-composer.png') });
  await page.getByRole('button', { name: 'Remove gutter.png' }).click();
  await page.locator('#attachments img[alt="gutter.png"]').waitFor({ state: 'detached' });

  await page.locator('#attach-input').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
  await page.locator('#notice-text', { hasText: '“broken.png” was not attached. The service could not read that photo' }).waitFor();
  await page.locator('#attachments img[alt="broken.png"]').waitFor({ state: 'detached' });
  assert.equal(await attachments.count(), 1, 'only the roof photo is left to send');

  await send(page, 'What is wrong with this roof?');
  await waitForReply(page, { includes: ['I received 1 image: 640×480 PNG.', LAST_CHUNK] });
  await waitForIdle(page);
  assert.equal(await page.locator('#attachments').isHidden(), true, 'the composer is empty again');

  await page.reload();
  const thumbnail = page.locator('#message-list li.message.user .message-photo img[alt="roof.png"]');
  await thumbnail.waitFor();
  await page.waitForFunction(() => {
    const image = document.querySelector('#message-list li.message.user .message-photo img');
    return image?.complete && image.naturalWidth > 0;
  });
  assert.match(await thumbnail.getAttribute('src'), /^\/v1\/files\/[0-9a-f-]{36}\?exp=\d+&sig=[\w-]+&size=thumb$/);

  const open = page.getByRole('button', { name: 'Open roof.png full size' });
  await open.focus();
  await page.keyboard.press('Enter');
  const viewer = page.getByRole('dialog', { name: 'Photo, full size' });
  await viewer.waitFor();
  await page.waitForFunction(() => document.querySelector('#photo-dialog img').naturalWidth === 640);
  await page.screenshot({ path: join(artifacts, 'console-photo.png') });
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'hidden' });
  assert.equal(await open.evaluate((button) => button === document.activeElement), true, 'the focus returns to the photo');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Attach photos' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'nothing is wider than a phone screen');
  await page.screenshot({ path: join(artifacts, 'console-photo-phone.png') });
  await assertClean(tab);
});
