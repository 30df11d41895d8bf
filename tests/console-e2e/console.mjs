// Shared by the console's end-to-end tests: the browser, the service's link and tokens, and page helpers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

/** The link the service printed: the console, signed in as the demo user through the URL fragment. */
export const link = required('CONSOLE_LINK');
export const baseUrl = new URL(link).origin;
export const secondUserToken = required('CONSOLE_SECOND_TOKEN');
export const pagingUserToken = required('CONSOLE_PAGING_TOKEN');
export const artifacts = process.env.CONSOLE_E2E_ARTIFACTS ?? join(tmpdir(), 'copilot-console-e2e');

/** The offline model's first and last chunks: seeing one without the other means a reply is mid-way. */
export const FIRST_CHUNK = "I'm the offline assistant:";
export const LAST_CHUNK = 'earlier message(s) from you in this conversation.';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; run the tests through scripts/test-console.sh`);
  }
  return value;
}

/**
 * Launches Chromium before the calling file's tests (making the screenshots' folder) and closes it after them;
 * returns a function that gives the browser.
 */
export function useBrowser() {
  let browser;
  before(async () => {
    await mkdir(artifacts, { recursive: true });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/** Debian's Chromium, headless, with nothing running in the background that could call out. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-domain-reliability',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A fresh browser context (its own sessionStorage) whose page records requests, errors and CSP violations; `origin`
 * is where the page is served from (the service, or a relay in front of it). */
export async function openConsole(browser, { viewport = { width: 1280, height: 800 }, origin = baseUrl } = {}) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const watch = { pages: [], requests: [], errors: [], dialogs: [], violations: [] };
  const page = await watchedPage(context, watch);
  return { context, page, watch, origin };
}

/** Another tab of `tab`'s browser context (the same localStorage, its own sessionStorage), watched as `tab` is. */
export function anotherTab({ context, watch }) {
  return watchedPage(context, watch);
}

/** A new page of `context` whose requests, errors, dialogs and CSP violations go to `watch`. */
async function watchedPage(context, watch) {
  const page = await context.newPage();
  watch.pages.push(page);
  page.on('request', (request) => watch.requests.push(request.url()));
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  page.on('framenavigated', async (frame) => {
    if (frame === page.mainFrame()) {
      watch.violations.push(...(await page.evaluate(() => window.__violations ?? []).catch(() => [])));
    }
  });
  return page;
}

/** Nothing went wrong on the page (or any other tab of its context): no script errors, no alert(), no CSP violation, no
 * request off the service (a `blob:` URL of the page's own, a photo's preview, stays in the browser). */
export async function assertClean({ watch, context, origin }) {
  for (const page of watch.pages.filter((p) => !p.isClosed())) {
    watch.violations.push(...(await page.evaluate(() => window.__violations ?? [])));
  }
  assert.deepEqual(watch.violations, [], 'Content-Security-Policy violations');
  assert.deepEqual(watch.errors, [], 'script errors on the page');
  assert.deepEqual(watch.dialogs, [], 'alert/confirm/prompt dialogs');
  const foreign = watch.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith(`blob:${origin}/`) && !url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'requests to anywhere but the service');
  await context.close();
}

/** Opens the printed link and waits for the console to show the conversation list. */
export async function signInWithLink(page) {
  await page.goto(link);
  await page.locator('#app').waitFor({ state: 'visible' });
}

/** A PNG of `width` × `height` pixels drawn by the page's own canvas, as base64. */
export function canvasPng(page, width, height, color) {
  return page.evaluate(async ([w, h, fill]) => {
    const canvas = new OffscreenCanvas(w, h);
    const context = canvas.getContext('2d');
    context.fillStyle = fill;
    context.fillRect(0, 0, w, h);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
  }, [width, height, color]);
}

/** Types a message and presses Enter. */
export async function send(page, text) {
  const prompt = page.getByRole('textbox', { name: 'Message' });
  await prompt.fill(text);
  await prompt.press('Enter');
}

/**
 * In the page: what it shows of its last assistant message (the text, the composer's state and the message's status)
 * when that text contains every string of `wanted` and none of `unwanted`; false otherwise, or when there is none.
 */
function lastReplyIf([wanted, unwanted]) {
  const replies = document.querySelectorAll('#message-list li.message.assistant');
  const last = replies[replies.length - 1];
  const text = last?.querySelector('.message-body')?.textContent ?? '';
  if (!last || !wanted.every((s) => text.includes(s)) || unwanted.some((s) => text.includes(s))) {
    return false;
  }
  return {
    text,
    replies: replies.length,
    status: last.querySelector('.message-status').textContent,
    promptDisabled: document.getElementById('prompt').disabled,
    stopVisible: !document.getElementById('stop').hidden,
  };
}

/**
 * Waits until the last assistant message's text contains every string of `includes` and none of `excludes`,
 * and answers what the page showed at that moment: the text, the composer's state and the message's status. On a
 * timeout the error says what the page showed instead.
 */
export async function waitForReply(page, { includes = [], excludes = [] }) {
  try {
    return await (await page.waitForFunction(lastReplyIf, [includes, excludes])).jsonValue();
  } catch (error) {
    const shown = await page.evaluate(lastReplyIf, [[], []]).catch((e) => `(the page could not be read: ${e.message})`);
    throw new Error(
      `waited for a reply with ${JSON.stringify(includes)} and without ${JSON.stringify(excludes)}; ` +
        `the page showed ${shown === false ? 'no reply' : JSON.stringify(shown)}`,
      { cause: error });
  }
}

/** Waits until no reply streams in this page (the composer is enabled again). */
export async function waitForIdle(page) {
  await page.waitForFunction(() => !document.getElementById('prompt').disabled && document.getElementById('stop').hidden);
}

/** The session id the page shows in its address (#chat=<id>). */
export async function chatIdOf(page) {
  await page.waitForFunction(() => location.hash.startsWith('#chat='));
  return page.evaluate(() => location.hash.slice('#chat='.length));
}

/** The texts of the user messages conversation `chatId` stores, oldest first ([] when it does not exist). */
export async function storedQuestions(token, chatId) {
  const response = await fetch(`${baseUrl}/v1/sessions/${chatId}/messages?limit=100`, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 404) {
    return [];
  }
  assert.equal(response.status, 200);
  const page = await response.json();
  return page.data.filter((m) => m.role === 'user').reverse()
    .map((m) => m.parts.filter((p) => p.type === 'text').map((p) => p.text).join(''));
}

/**
 * Sends one message through the API as the user of `token` and reads the reply stream to its end; a new conversation
 * gets `persona` (the service's default when not given).
 */
export async function chatThroughApi(token, chatId, text, { persona } = {}) {
  const response = await fetch(`${baseUrl}/v1/chat`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: chatId, persona, message: { id: randomUUID(), role: 'user', parts: [{ type: 'text', text }] } }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const stream = await response.text();
  assert.ok(stream.includes('data: [DONE]'), stream);
}

/**
 * A TCP relay to the service that a test can cut, as a network drop would: `cut()` closes every open connection and
 * refuses new ones until `restore()`. The browser talks to `origin`; the service behind it is the real one.
 */
export async function startRelay() {
  const target = new URL(baseUrl);
  const sockets = new Set();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    cut() {
      refusing = true;
      for (const socket of sockets) {
        socket.destroy();
      }
    },
    restore() {
      refusing = false;
    },
    close: () => new Promise((resolve) => {
      refusing = true;
      for (const socket of sockets) {
        socket.destroy();
      }
      server.close(resolve);
    }),
  };
}
