// The read-only page of a shared conversation (/s/{token}): no sign-in, no composer, every text shown as text.

const PERSONAS = { field: 'Field technician', pm: 'Project manager', exec: 'Executive' };
const $ = (id) => document.getElementById(id);

function showError(text) {
  $('shared-error').textContent = text;
  $('shared-error').hidden = false;
}

function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function messageItem(message) {
  const item = document.createElement('li');
  item.className = `message ${message.role}`;
  const who = document.createElement('span');
  who.className = 'message-role';
  who.textContent = message.role === 'user' ? 'Question' : 'Copilot';
  const body = document.createElement('div');
  body.className = 'message-body shared-text';
  body.textContent = (message.parts ?? []).filter((part) => part.type === 'text').map((part) => part.text).join('');
  item.append(who, body);
  const photos = (message.parts ?? []).filter((part) => part.type === 'file' && part.mediaType?.startsWith('image/'));
  if (photos.length > 0) {
    item.append(photoLinks(photos));
  }
  return item;
}

// A shared photo links to its full size (served through the share, so it stops working with it).
function photoLinks(photos) {
  const strip = document.createElement('div');
  strip.className = 'message-photos';
  for (const photo of photos) {
    const name = photo.filename || 'Photo';
    const link = document.createElement('a');
    link.className = 'message-photo';
    link.href = photo.url;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.setAttribute('aria-label', `Open ${name} full size`);
    const thumb = new URL(photo.url, location.href);
    thumb.searchParams.set('size', 'thumb');
    const image = document.createElement('img');
    image.src = thumb.pathname + thumb.search;
    image.alt = name;
    image.loading = 'lazy';
    link.append(image);
    strip.append(link);
  }
  return strip;
}

async function start() {
  const token = decodeURIComponent(location.pathname.split('/').pop() ?? '');
  let response;
  try {
    response = await fetch(`/v1/shares/${encodeURIComponent(token)}`, { credentials: 'omit' });
  } catch {
    showError('Could not reach the service. Check your network and reload the page.');
    return;
  }
  if (response.status === 429) {
    showError('Too many requests from this network right now. Wait a minute and reload the page.');
    return;
  }
  if (!response.ok) {
    showError('This link does not exist or no longer works. Ask the person who shared it for a new one.');
    return;
  }
  const shared = await response.json();
  const title = shared.title || 'Shared conversation';
  document.title = `${title} (shared)`;
  $('shared-title').textContent = title;
  $('shared-persona').textContent = PERSONAS[shared.persona] ?? shared.persona;
  $('shared-about').textContent =
    `A read-only copy of a conversation, as it was on ${formatDate(shared.created_at)}. The link works until ${formatDate(shared.expires_at)}.`;
  $('shared-messages').replaceChildren(...shared.messages.map(messageItem));
}

start();
