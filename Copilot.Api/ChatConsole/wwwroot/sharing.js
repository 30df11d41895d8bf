// The Share dialog: make a read-only link of the conversation as it is now, copy it, list the live links, revoke one.

import { json } from './api.js';

const $ = (id) => document.getElementById(id);

function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Wires the Share button and dialog; `currentChat()` answers the open conversation's id, or null for a new one. */
export function setUpSharing(currentChat, onError) {
  const ui = {
    open: $('share-open'), dialog: $('share-dialog'), days: $('share-days'), create: $('share-create'),
    result: $('share-result'), link: $('share-link'), copy: $('share-copy'), copied: $('share-copied'),
    list: $('share-list'), none: $('share-none'), error: $('share-error'),
  };

  async function refresh(chatId) {
    const shares = await json(`/v1/sessions/${chatId}/shares`);
    ui.list.replaceChildren(...shares.data.map((share) => shareItem(chatId, share)));
    ui.none.hidden = shares.data.length > 0;
  }

  function shareItem(chatId, share) {
    const item = document.createElement('li');
    const text = document.createElement('span');
    const created = formatDate(share.created_at);
    text.textContent = `Made ${created}, works until ${formatDate(share.expires_at)}, ${share.message_count} message(s)`;
    const revoke = document.createElement('button');
    revoke.type = 'button';
    revoke.className = 'quiet';
    revoke.textContent = 'Revoke';
    revoke.setAttribute('aria-label', `Revoke the link made ${created}`);
    revoke.addEventListener('click', () => run(async () => {
      await json(`/v1/sessions/${chatId}/shares/${share.id}`, { method: 'DELETE' });
      await refresh(chatId);
    }));
    item.append(text, revoke);
    return item;
  }

  async function run(action) {
    ui.error.textContent = '';
    try {
      await action();
    } catch (error) {
      ui.error.textContent = error?.message ?? String(error);
      onError(error);
    }
  }

  ui.open.addEventListener('click', () => {
    const chatId = currentChat();
    ui.result.hidden = true;
    ui.copied.textContent = '';
    ui.error.textContent = '';
    ui.list.replaceChildren();
    ui.none.hidden = false;
    ui.create.disabled = !chatId;
    if (!chatId) {
      ui.error.textContent = 'Send a message first: there is nothing to share yet.';
    }
    ui.dialog.showModal();
    if (chatId) {
      run(() => refresh(chatId));
    }
  });

  ui.create.addEventListener('click', () => run(async () => {
    const chatId = currentChat();
    const share = await json(`/v1/sessions/${chatId}/shares`, { method: 'POST', body: { expires_in_days: Number(ui.days.value) } });
    ui.link.value = new URL(share.url, location.origin).href;
    ui.result.hidden = false;
    ui.copied.textContent = '';
    ui.link.select();
    await refresh(chatId);
  }));

  ui.copy.addEventListener('click', async () => {
    ui.link.select();
    try {
      await navigator.clipboard.writeText(ui.link.value);
      ui.copied.textContent = 'Copied.';
    } catch {
      ui.copied.textContent = 'Press Ctrl+C (or ⌘C) to copy the selected link.';
    }
  });
}
