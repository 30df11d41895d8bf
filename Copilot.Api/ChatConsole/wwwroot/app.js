// The chat console: sign-in, the sidebar of sessions, the conversation and the composer, on the /v1 API only.

import { ApiError, SignedOut, json, request, token } from './api.js';
import { Drafts, NEW_CHAT, hasContent } from './drafts.js';
import { feedbackControl } from './feedback.js';
import { renderMarkdown } from './markdown.js';
import { Attachments, photoStrip, photosOf } from './photos.js';
import { setUpSharing } from './sharing.js';
import { uiMessageParts } from './stream.js';

const PAGE_SIZE = 20;
const PERSONAS = { field: 'Field technician', pm: 'Project manager', exec: 'Executive' };
const STATUS_LABELS = {
  stopped: 'Stopped',
  failed: 'Failed',
  interrupted: 'Interrupted (the service restarted mid-reply)',
};
const RESUME_DELAYS_MS = [500, 1500, 4000];

const $ = (id) => document.getElementById(id);
const ui = {
  signin: $('signin'), signinForm: $('signin-form'), tokenInput: $('token-input'), signinError: $('signin-error'),
  app: $('app'), toggleSidebar: $('toggle-sidebar'), sidebar: $('sidebar'), title: $('chat-title'),
  personaBadge: $('chat-persona'), signOut: $('sign-out'), newChat: $('new-chat'), sessionScroll: $('session-scroll'),
  sessionList: $('session-list'), sessionsEmpty: $('sessions-empty'), moreSessions: $('more-sessions'),
  messages: $('messages'), olderMessages: $('older-messages'), conversationEmpty: $('conversation-empty'),
  messageList: $('message-list'), notice: $('notice'), noticeText: $('notice-text'), noticeDismiss: $('notice-dismiss'),
  composer: $('composer'), persona: $('persona'), prompt: $('prompt'), send: $('send'), stop: $('stop'),
  cancelSend: $('cancel-send'), sendingStatus: $('sending-status'),
  conversation: $('conversation'), attachments: $('attachments'), attach: $('attach'), attachInput: $('attach-input'),
  photoDialog: $('photo-dialog'), photoClose: $('photo-close'),
  renameDialog: $('rename-dialog'), renameInput: $('rename-input'), renameCancel: $('rename-cancel'),
  deleteDialog: $('delete-dialog'),
  deleteText: $('delete-text'),
  searchForm: $('search-form'), searchInput: $('search-input'), searchResults: $('search-results'),
  searchStatus: $('search-status'), searchList: $('search-list'), moreResults: $('more-results'),
};

const state = {
  sessions: new Map(), // id -> session, in the list's order (newest updated first)
  sessionsCursor: null,
  sessionsHasMore: false,
  loadingSessions: false,
  chat: null, // { id, persona, isNew, before, hasMore, loadingOlder }
  streaming: null, // { chatId, controller, stopRequested }
  closeEditor: null, // closes the inline editor of a user message, when one is open
  sending: null, // { chat, controller }: a message waits for its photos' uploads, the composer locked meanwhile
  draftKey: null, // the draft the composer shows: the conversation's id, or NEW_CHAT
  search: null, // { q, cursor }: the search whose results are shown
  searchTimer: null,
};

/** The persona a new chat starts with until one is picked for it (index.html's first). */
const DEFAULT_PERSONA = ui.persona.value;

const drafts = new Drafts();
const attachments = new Attachments(ui.attachments, showNotice, (key) => changeDraft(key, { photos: attachments.names(key) }));

// ---- start-up and sign-in ----

function takeTokenFromAddress() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!fragment.has('token')) {
    return;
  }
  token.set(fragment.get('token'));
  fragment.delete('token');
  const rest = fragment.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

/** What the page takes for a conversation's id. */
const SESSION_ID = /^[0-9a-f-]{36}$/i;

function chatIdFromAddress() {
  const id = new URLSearchParams(location.hash.slice(1)).get('chat');
  return id && SESSION_ID.test(id) ? id.toLowerCase() : null;
}

function showChatInAddress(id) {
  history.replaceState(null, '', `${location.pathname}${location.search}${id ? `#chat=${id}` : ''}`);
}

function showSignIn(message) {
  token.clear();
  stopListening();
  cancelSending();
  // Nothing of the previous user stays in the page, not even hidden (their drafts stay in this browser under their id).
  state.sessions.clear();
  state.chat = null;
  state.draftKey = null;
  drafts.use(null);
  listenToOtherTabs(null);
  ui.sessionList.replaceChildren();
  ui.messageList.replaceChildren();
  attachments.clear();
  setComposerText('');
  ui.persona.value = DEFAULT_PERSONA;
  ui.persona.disabled = false;
  showChatInAddress(null);
  ui.app.hidden = true;
  ui.signin.hidden = false;
  ui.signinError.textContent = message ?? '';
  ui.tokenInput.value = '';
  ui.tokenInput.focus();
}

async function start() {
  takeTokenFromAddress();
  if (!token.get()) {
    showSignIn();
    return;
  }
  drafts.use(token.user());
  listenToOtherTabs(token.user());
  ui.signin.hidden = true;
  ui.app.hidden = false;
  // A new chat is ready before the sidebar loads, so a message typed while it loads is sent, not dropped; a
  // conversation's draft shows at once, so what is typed or attached meanwhile is added to it.
  const chatId = chatIdFromAddress();
  if (chatId) {
    showDraft(chatId);
  } else {
    newChat();
  }
  let failure = null;
  try {
    await loadSessions(true);
  } catch (error) {
    if (error instanceof SignedOut) {
      handleError(error);
      return;
    }
    failure = error;
  }
  if (chatId) {
    await openChat(chatId);
  }
  if (failure) {
    handleError(failure);
  } else {
    dropDraftsOfDeletedConversations().catch(() => {}); // tried again at the next start
  }
}

ui.signinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = ui.tokenInput.value.trim().replace(/^Bearer\s+/i, '');
  if (!value) {
    return;
  }
  token.set(value);
  ui.signinError.textContent = '';
  start();
});

ui.signOut.addEventListener('click', () => {
  // Signing out leaves none of the user's unsent messages in this browser (a token that expires keeps them).
  drafts.forgetAll();
  showSignIn('Signed out.');
});

// ---- errors and notices ----

function showNotice(message) {
  ui.noticeText.textContent = message;
  ui.notice.hidden = false;
}

function clearNotice() {
  ui.notice.hidden = true;
  ui.noticeText.textContent = '';
}

ui.noticeDismiss.addEventListener('click', () => {
  clearNotice();
  ui.prompt.focus();
});

function handleError(error) {
  if (error instanceof SignedOut) {
    showSignIn('Your token was not accepted or has expired. Sign in again.');
  } else if (error instanceof ApiError) {
    showNotice(error.message);
  } else if (error?.name !== 'AbortError') {
    showNotice(`Something went wrong in the page: ${error?.message ?? error}`);
    console.error(error);
  }
}

// ---- the sidebar of sessions ----

function sessionTitle(session) {
  return session.title?.trim() || 'Untitled conversation';
}

async function loadSessions(reset) {
  if (state.loadingSessions) {
    return;
  }
  state.loadingSessions = true;
  try {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (!reset && state.sessionsCursor) {
      query.set('after', state.sessionsCursor);
    }
    const page = await json(`/v1/sessions?${query}`);
    if (reset) {
      state.sessions.clear();
    }
    for (const session of page.data) {
      state.sessions.set(session.id, session);
    }
    state.sessionsCursor = page.next_cursor ?? null;
    state.sessionsHasMore = Boolean(page.has_more && page.next_cursor);
    renderSessions();
  } finally {
    state.loadingSessions = false;
  }
}

function renderSessions() {
  // The list is drawn again as drafts change, also in another tab: the keyboard's place in it stays.
  const focused = ui.sessionList.contains(document.activeElement) ? document.activeElement : null;
  const focusedId = focused?.closest('li')?.dataset.id;
  const focusedControl = ['session-open', 'session-rename', 'session-delete'].find((name) => focused?.classList.contains(name));
  const items = [...state.sessions.values()].map(sessionItem);
  ui.sessionList.replaceChildren(...items);
  if (focusedId && focusedControl) {
    ui.sessionList.querySelector(`li[data-id="${CSS.escape(focusedId)}"] .${focusedControl}`)?.focus();
  }
  ui.sessionsEmpty.hidden = state.sessions.size > 0;
  ui.moreSessions.hidden = !state.sessionsHasMore;
}

function sessionItem(session) {
  const title = sessionTitle(session);
  const item = document.createElement('li');
  item.className = 'session-item';
  item.dataset.id = session.id;

  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'session-open';
  if (state.chat?.id === session.id) {
    open.setAttribute('aria-current', 'true');
  }
  const name = document.createElement('span');
  name.className = 'session-title';
  name.textContent = title;
  const details = document.createElement('span');
  details.className = 'session-details';
  details.textContent = `${PERSONAS[session.persona] ?? session.persona} · ${formatTime(session.updated_at)}`;
  if (drafts.hasContent(session.id)) {
    const draft = document.createElement('span');
    draft.className = 'session-draft';
    draft.textContent = 'Draft';
    details.prepend(draft, ' · ');
  }
  open.append(name, details);
  open.addEventListener('click', () => {
    closeSidebarOnNarrowScreens();
    openChat(session.id);
  });

  const rename = iconButton('✎', `Rename “${title}”`, 'session-rename', () => renameSession(session.id));
  const remove = iconButton('×', `Delete “${title}”`, 'session-delete', () => deleteSession(session.id));
  item.append(open, rename, remove);
  return item;
}

function iconButton(glyph, label, className, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `icon ${className}`;
  button.textContent = glyph;
  button.setAttribute('aria-label', label);
  button.title = label;
  button.addEventListener('click', onClick);
  return button;
}

function formatTime(iso) {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) {
    return '';
  }
  const sameDay = time.toDateString() === new Date().toDateString();
  return sameDay
    ? time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : time.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/**
 * Moves a session to the top of the list with its latest title and times, and (with `tell`, when this tab changed it)
 * tells the user's other tabs.
 */
async function refreshSession(id, { tell = true } = {}) {
  try {
    const session = await json(`/v1/sessions/${id}`);
    if (deletedSessions.has(id)) {
      return; // deleted (here or in another tab) while it was being read
    }
    state.sessions.delete(id);
    state.sessions = new Map([[id, session], ...state.sessions]);
    renderSessions();
    if (state.chat?.id === id) {
      showChatHeader(session);
    }
    if (tell) {
      tellOtherTabs({ type: 'session', id, session });
    }
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      handleError(error);
    }
  }
}

function renameSession(id) {
  const session = state.sessions.get(id);
  ui.renameInput.value = session ? sessionTitle(session) : '';
  ui.renameDialog.returnValue = '';
  ui.renameDialog.showModal();
  ui.renameInput.select();
  ui.renameDialog.addEventListener('close', async () => {
    const title = ui.renameInput.value.trim();
    if (ui.renameDialog.returnValue !== 'save' || !title) {
      return;
    }
    try {
      const renamed = await json(`/v1/sessions/${id}`, { method: 'PATCH', body: { title } });
      state.sessions.set(id, { ...state.sessions.get(id), ...(renamed ?? { title }) });
      renderSessions();
      if (state.chat?.id === id) {
        ui.title.textContent = sessionTitle(state.sessions.get(id));
      }
      tellOtherTabs({ type: 'session', id, session: state.sessions.get(id) });
    } catch (error) {
      handleError(error);
    }
  }, { once: true });
}

ui.renameCancel.addEventListener('click', () => ui.renameDialog.close('cancel'));

function deleteSession(id) {
  const session = state.sessions.get(id);
  ui.deleteText.textContent = `“${session ? sessionTitle(session) : 'This conversation'}” and all its messages will be deleted. This cannot be undone.`;
  ui.deleteDialog.returnValue = '';
  ui.deleteDialog.showModal();
  ui.deleteDialog.addEventListener('close', async () => {
    if (ui.deleteDialog.returnValue !== 'delete') {
      return;
    }
    try {
      await request(`/v1/sessions/${id}`, { method: 'DELETE', allow: [404] });
      state.sessions.delete(id);
      deletedSessions.add(id);
      discardDraft(id);
      tellOtherTabs({ type: 'deleted', id });
      renderSessions();
      if (state.chat?.id === id) {
        newChat();
      }
    } catch (error) {
      handleError(error);
    }
  }, { once: true });
}

setUpSharing(() => (state.chat && !state.chat.isNew ? state.chat.id : null), handleError);

ui.moreSessions.addEventListener('click', () => loadSessions(false).catch(handleError));

// ---- the conversation ----

function newChat() {
  stopListening();
  // A first message the page sent without learning whether the service stored it goes again to the same
  // conversation, under the same id, so it can never start two.
  // It starts with the persona picked for it (kept with its draft), never the one of the conversation shown before.
  const draft = drafts.get(NEW_CHAT);
  const id = draft?.chatId ?? uuid();
  state.chat = { id, persona: knownPersona(draft?.persona) ?? DEFAULT_PERSONA, isNew: true, before: null, hasMore: false };
  ui.persona.value = state.chat.persona;
  showChatInAddress(null);
  ui.messageList.replaceChildren();
  ui.olderMessages.hidden = true;
  ui.conversationEmpty.hidden = false;
  ui.title.textContent = 'New chat';
  ui.personaBadge.textContent = '';
  ui.persona.disabled = false;
  clearNotice();
  leaveSending();
  showDraft(NEW_CHAT);
  askForLostPhotos(NEW_CHAT);
  setStreaming(null);
  renderSessions();
  ui.prompt.focus();
}

ui.newChat.addEventListener('click', () => {
  closeSidebarOnNarrowScreens();
  newChat();
});

/** `persona` when it is one the composer offers; otherwise null. */
function knownPersona(persona) {
  return persona && Object.hasOwn(PERSONAS, persona) ? persona : null;
}

// The persona picked for a new chat is part of its draft: it is the one its first message goes with, whichever
// conversation is opened meanwhile, and it stays after a reload. A conversation keeps the persona it was started with.
ui.persona.addEventListener('change', () => {
  if (state.chat?.isNew) {
    state.chat.persona = ui.persona.value;
    changeDraft(NEW_CHAT, { persona: ui.persona.value });
  }
});

function showChatHeader(session) {
  ui.title.textContent = sessionTitle(session);
  ui.personaBadge.textContent = PERSONAS[session.persona] ?? session.persona;
  ui.persona.value = session.persona;
  ui.persona.disabled = true;
}

/** Opens a conversation at its newest message, or centred on the message <around> (a search hit). */
async function openChat(id, around = null) {
  stopListening();
  clearNotice();
  leaveSending();
  state.chat = { id, persona: null, isNew: false, before: null, hasMore: false };
  ui.persona.disabled = true; // a conversation's persona is its own, shown once it is read
  showDraft(id);
  askForLostPhotos(id);
  showChatInAddress(id);
  ui.messageList.replaceChildren();
  ui.conversationEmpty.hidden = true;
  ui.olderMessages.hidden = true;
  setStreaming(null);
  renderSessions();
  try {
    const session = state.sessions.get(id) ?? (await json(`/v1/sessions/${id}`));
    if (state.chat?.id !== id) {
      return;
    }
    state.chat.persona = session.persona;
    showChatHeader(session);
    if (around) {
      await loadAround(around);
    } else {
      await loadOlderMessages();
      ui.messages.scrollTop = ui.messages.scrollHeight;
    }
    await resume(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      if (error.code === 'session_not_found') {
        discardDraft(id); // deleted on another device (or expired): it leaves the list here and in the other tabs
        state.sessions.delete(id);
        deletedSessions.add(id);
        tellOtherTabs({ type: 'deleted', id });
      }
      newChat();
    }
    handleError(error);
  }
}

async function loadOlderMessages() {
  const chat = state.chat;
  if (!chat || chat.isNew || chat.loadingOlder) {
    return;
  }
  chat.loadingOlder = true;
  try {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (chat.before) {
      query.set('before', chat.before);
    }
    const page = await json(`/v1/sessions/${chat.id}/messages?${query}`);
    if (state.chat !== chat) {
      return;
    }
    const previousHeight = ui.messages.scrollHeight;
    const previousTop = ui.messages.scrollTop;
    const items = page.data
      .slice()
      .reverse()
      .filter((message) => !messageElement(message.id))
      .map(storedMessageItem);
    ui.messageList.prepend(...items);
    ui.messages.scrollTop = previousTop + (ui.messages.scrollHeight - previousHeight);
    chat.before = page.next_before ?? null;
    chat.hasMore = Boolean(page.has_more && page.next_before);
    ui.olderMessages.hidden = !chat.hasMore;
    ui.conversationEmpty.hidden = ui.messageList.children.length > 0;
  } finally {
    chat.loadingOlder = false;
  }
}

ui.olderMessages.addEventListener('click', () => loadOlderMessages().catch(handleError));

/** The page of the conversation around <messageId>, then every newer page, with that message marked and in view. */
async function loadAround(messageId) {
  const chat = state.chat;
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), around: messageId });
  let page = await json(`/v1/sessions/${chat.id}/messages?${query}`);
  chat.before = page.next_before ?? null;
  chat.hasMore = Boolean(page.has_more && page.next_before);
  const messages = page.data.slice().reverse();
  while (page.next_after !== undefined && state.chat === chat) {
    const newer = new URLSearchParams({ limit: String(PAGE_SIZE), after: String(page.next_after) });
    page = await json(`/v1/sessions/${chat.id}/messages?${newer}`);
    messages.push(...page.data.slice().reverse());
  }
  if (state.chat !== chat) {
    return;
  }
  ui.messageList.replaceChildren(...messages.map(storedMessageItem));
  ui.olderMessages.hidden = !chat.hasMore;
  ui.conversationEmpty.hidden = messages.length > 0;
  const target = messageElement(messageId);
  target?.classList.add('search-target');
  target?.scrollIntoView({ block: 'center' });
}

function storedMessageItem(message) {
  return messageItem(message.id, message.role, textOf(message), message.metadata, photosOf(message));
}

function textOf(message) {
  return (message.parts ?? []).filter((part) => part.type === 'text').map((part) => part.text).join('');
}

function messageElement(id) {
  return id ? ui.messageList.querySelector(`li[data-id="${CSS.escape(id)}"]`) : null;
}

function messageItem(id, role, text, metadata, photos = []) {
  const item = document.createElement('li');
  item.className = `message ${role}`;
  if (id) {
    item.dataset.id = id;
  }
  const who = document.createElement('span');
  who.className = 'message-role';
  who.textContent = role === 'user' ? 'You' : 'Copilot';
  const body = document.createElement('div');
  body.className = 'message-body';
  const status = document.createElement('span');
  status.className = 'message-status';
  const actions = document.createElement('div');
  actions.className = 'message-actions';
  item.append(who, body, status, actions);
  item.photos = photos;
  if (photos.length > 0) {
    body.after(photoStrip(photos, ui.photoDialog));
  }
  setMessageText(item, text);
  setMessageStatus(item, metadata);
  return item;
}

function setMessageText(item, text) {
  item.dataset.text = text;
  const body = item.querySelector('.message-body');
  if (item.classList.contains('user')) {
    body.textContent = text;
  } else {
    renderMarkdown(body, text);
  }
}

function setMessageStatus(item, metadata) {
  const status = metadata?.status;
  const label = STATUS_LABELS[status];
  const element = item.querySelector('.message-status');
  element.textContent = label ? `${label}${metadata?.error_code ? ` (${metadata.error_code})` : ''}` : '';
  item.dataset.status = status ?? '';
  setMessageActions(item, metadata);
}

/**
 * A message's controls: Edit on the user's messages, Regenerate on replies (styles.css shows it on the last reply
 * only), 👍/👎 on stored replies, and "‹ 2/3 ›" where the message's position holds more than one version. All hidden
 * while a reply streams.
 */
function setMessageActions(item, metadata) {
  const controls = [];
  const versions = Array.isArray(metadata?.versions) ? metadata.versions : [];
  if (versions.length > 1) {
    controls.push(versionSwitcher(item, versions, metadata.version_index ?? versions.indexOf(item.dataset.id)));
  }
  if (item.classList.contains('user')) {
    controls.push(textButton('Edit', 'Edit message', 'message-edit', () => startEdit(item)));
  } else {
    controls.push(textButton('Regenerate', 'Regenerate reply', 'message-regenerate', () => regenerate(item)));
    if (item.dataset.id && metadata?.seq !== undefined && state.chat) {
      controls.push(feedbackControl(item, state.chat.id, metadata.feedback, handleError));
    }
  }
  item.querySelector('.message-actions').replaceChildren(...controls);
}

function textButton(text, label, className, onClick) {
  const button = iconButton(text, label, className, onClick);
  button.className = `quiet ${className}`;
  return button;
}

function versionSwitcher(item, versions, index) {
  const kind = item.classList.contains('user') ? 'message' : 'reply';
  const group = document.createElement('div');
  group.className = 'versions';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', `Version ${index + 1} of ${versions.length} of this ${kind}`);
  const previous = iconButton('‹', `Previous version of this ${kind}`, 'version-previous',
    () => switchVersion(versions[index - 1], 'previous'));
  previous.disabled = index <= 0;
  const position = document.createElement('span');
  position.className = 'version-position';
  position.textContent = `${index + 1}/${versions.length}`;
  const next = iconButton('›', `Next version of this ${kind}`, 'version-next',
    () => switchVersion(versions[index + 1], 'next'));
  next.disabled = index >= versions.length - 1;
  group.append(previous, position, next);
  return group;
}

function appendMessage(item) {
  ui.conversationEmpty.hidden = true;
  const nearBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 80;
  ui.messageList.append(item);
  if (nearBottom) {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }
}

// Older messages load as their button scrolls into view, newer sessions likewise in the sidebar.
const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) {
      continue;
    }
    if (entry.target === ui.olderMessages && !ui.olderMessages.hidden && ui.messages.scrollTop < 40) {
      loadOlderMessages().catch(handleError);
    } else if (entry.target === ui.moreSessions && !ui.moreSessions.hidden) {
      loadSessions(false).catch(handleError);
    }
  }
});
observer.observe(ui.olderMessages);
observer.observe(ui.moreSessions);
ui.messages.addEventListener('scroll', () => {
  if (ui.messages.scrollTop < 40 && state.chat?.hasMore && !ui.olderMessages.hidden) {
    loadOlderMessages().catch(handleError);
  }
});

// ---- drafts: each conversation keeps its unsent message (drafts.js) ----

function draftKeyOf(chat) {
  return chat.isNew ? NEW_CHAT : chat.id;
}

/** Shows the draft of `key` in the composer: its text and its photos. */
function showDraft(key) {
  state.draftKey = key;
  setComposerText(drafts.get(key)?.text ?? '');
  attachments.show(key);
}

/**
 * Photos stay in the page: when it was reloaded (or signed in again) since they were attached to the draft of `key`,
 * only their names are left, and the notice asks for them again. The names are this tab's own (drafts.js): another tab
 * showing the same draft, whose photos are still attached where they were, has none to ask for.
 */
function askForLostPhotos(key) {
  const names = drafts.get(key)?.photos ?? [];
  if (names.length > 0 && attachments.names(key).length === 0) {
    const list = names.map((name) => `“${name}”`).join(', ');
    showNotice(`The photos of your unsent message (${list}) are not kept when the page reloads: attach them again.`);
    changeDraft(key, { photos: [] });
  }
}

/** Changes a draft, and re-marks the sidebar when its conversation starts or stops having one. */
function changeDraft(key, changes) {
  const had = drafts.hasContent(key);
  drafts.update(key, changes);
  if (drafts.hasContent(key) !== had && state.sessions.has(key)) {
    renderSessions();
  }
}

/** A deleted conversation's draft goes with it: its text, its photos, and a new chat's ids that pointed to it. */
function discardDraft(id) {
  drafts.remove(id);
  attachments.discard(id);
  if (drafts.get(NEW_CHAT)?.chatId === id) {
    drafts.update(NEW_CHAT, { messageId: null, chatId: null });
  }
}

/** Drafts of conversations this page does not list (deleted or expired elsewhere) go once the service says so. */
async function dropDraftsOfDeletedConversations() {
  for (const id of drafts.conversations()) {
    if (state.sessions.has(id)) {
      continue;
    }
    const response = await request(`/v1/sessions/${id}`, { allow: [404] });
    if (response.status === 404) {
      discardDraft(id);
    }
  }
}

// ---- drafts shared by the user's tabs ----
//
// Tabs of the same user in this browser share the drafts (localStorage), and each follows the others' changes
// through the `storage` event: a tab shows at once a change made in another to the draft its composer shows, unless
// its own composer is being edited (the message field has the focus in the focused window) or holds a message waiting
// for its photos. The field being edited keeps what is typed in it, and that is the draft once it is typed in or
// left. A draft sent from one tab leaves the others' composers empty, also the one being edited when it shows just
// what was sent (so it is not sent twice); what was typed there since stays as the draft of a new message. A tab
// showing that conversation then shows the message and follows its reply.

window.addEventListener('storage', (event) => {
  const change = drafts.changeOf(event);
  if (change && !ui.app.hidden) {
    draftChangedElsewhere(change);
  }
});

/** Another tab changed the draft of `key` from `before` to `after` (null: none), or every draft (key null). */
function draftChangedElsewhere({ key, before, after }) {
  if (key === null) {
    renderSessions();
    if (state.draftKey) {
      draftChangedElsewhere({ key: state.draftKey, before: null, after: null });
    }
    return;
  }
  if (state.sessions.has(key) && hasContent(before) !== hasContent(after)) {
    renderSessions();
  }
  if (key === NEW_CHAT) {
    followNewChatElsewhere(before, after);
  }
  // The ids go from a draft once the service holds its message.
  const sent = Boolean(before?.messageId) && !after?.messageId;
  if (sent) {
    showSentElsewhere(key === NEW_CHAT ? before.chatId : key);
  }
  if (key !== state.draftKey || state.sending) {
    return;
  }
  if (!composerBeingEdited()) {
    setComposerText(after?.text ?? '');
  } else if (sent && ui.prompt.value.trim() === before.text.trim()) {
    setComposerText(after?.text ?? '');
  } else if (sent && (after?.text ?? '') !== ui.prompt.value) {
    changeDraft(key, { text: ui.prompt.value }); // typed here since the message went: a new one
  }
}

function composerBeingEdited() {
  return document.activeElement === ui.prompt && document.hasFocus() && !ui.prompt.disabled;
}

/**
 * The new chat follows its draft's changes in another tab: the persona picked there, and the conversation its first
 * message goes to, so that this tab sends it again (under the same id) to the same one, and, once it is stored there,
 * starts a conversation of its own.
 */
function followNewChatElsewhere(before, after) {
  const chat = state.chat;
  if (!chat?.isNew || state.streaming || state.sending) {
    return;
  }
  if (after?.chatId) {
    chat.id = after.chatId;
  } else if (before?.chatId === chat.id) {
    chat.id = uuid();
  }
  const persona = knownPersona(after?.persona);
  if (persona && document.activeElement !== ui.persona) {
    chat.persona = persona;
    ui.persona.value = persona;
  }
}

/** A draft sent from another tab: its conversation tops the sidebar, and when shown here it shows the message and its reply. */
function showSentElsewhere(chatId) {
  if (!chatId) {
    return;
  }
  refreshSession(chatId, { tell: false }); // the tab that sent it tells the others itself
  const chat = state.chat;
  if (chat && !chat.isNew && chat.id === chatId && !state.streaming && !state.sending) {
    reloadChat(chat).then(() => (state.chat === chat ? resume(chatId) : null)).catch(handleError);
  }
}

// ---- the sidebar shared by the user's tabs ----
//
// A conversation created, changed (a message, a reply, a rename) or deleted in one tab is told to the user's other tabs
// in this browser over a BroadcastChannel named after the user, with the session as the service answered it, so that
// their sidebars follow at once. A tab showing a conversation deleted in another says so and goes to the new chat,
// keeping nothing of it (its draft, its photos). Changes made on another device show at the next load, or when the
// conversation is opened (a deleted one then says that it no longer exists).

const SESSIONS_CHANNEL = 'copilot.sessions.';
let sessionsChannel = null;
/** Conversations deleted while this page lives: a change to one told late (it crossed the deletion) brings none back. */
const deletedSessions = new Set();

/** Follows the sidebar changes of the other tabs of user `user` (a token's `sub`); with null, of nobody. */
function listenToOtherTabs(user) {
  sessionsChannel?.close();
  sessionsChannel = null;
  if (user && typeof BroadcastChannel === 'function') {
    sessionsChannel = new BroadcastChannel(`${SESSIONS_CHANNEL}${user}`);
    sessionsChannel.addEventListener('message', (event) => sessionChangedElsewhere(event.data));
  }
}

/** Tells the user's other tabs of a change: { type: 'session', id, session } or { type: 'deleted', id }. */
function tellOtherTabs(change) {
  sessionsChannel?.postMessage(change);
}

function sessionChangedElsewhere(change) {
  if (ui.app.hidden || typeof change?.id !== 'string' || !SESSION_ID.test(change.id)) {
    return;
  }
  const session = change.session;
  if (change.type === 'deleted') {
    deletedElsewhere(change.id);
  } else if (change.type === 'session' && session?.id === change.id && typeof session.persona === 'string' &&
      typeof session.updated_at === 'string' && !deletedSessions.has(change.id)) {
    placeSession(session);
  }
}

/**
 * Shows `session` as another tab learned it: in its place in the list (newest updated first), or, older than every
 * session listed while more are still to load, left to come with them.
 */
function placeSession(session) {
  const known = state.sessions.get(session.id);
  if (known?.updated_at === session.updated_at) {
    state.sessions.set(session.id, session);
  } else {
    const rest = [...state.sessions].filter(([id]) => id !== session.id);
    const updated = Date.parse(session.updated_at);
    const at = rest.findIndex(([, other]) => !(Date.parse(other.updated_at) > updated));
    if (at >= 0 || !state.sessionsHasMore) {
      rest.splice(at >= 0 ? at : rest.length, 0, [session.id, session]);
    }
    state.sessions = new Map(rest);
  }
  renderSessions();
  if (state.chat?.id === session.id && !state.chat.isNew) {
    showChatHeader(session);
  }
}

/** Conversation `id` was deleted in another tab: it leaves the list, and this tab keeps nothing of it. */
function deletedElsewhere(id) {
  const session = state.sessions.get(id);
  state.sessions.delete(id);
  deletedSessions.add(id);
  discardDraft(id);
  renderSessions();
  const chat = state.chat;
  if (chat?.isNew && chat.id === id) {
    if (!state.streaming && !state.sending) {
      chat.id = uuid(); // the new chat was to send again to it: its message starts a conversation of its own
    }
  } else if (chat?.id === id) {
    const focused = document.activeElement;
    cancelSending();
    newChat();
    if (focused?.isConnected && focused !== document.body) {
      focused.focus(); // the keyboard stays where it was (the sidebar, the search), unless that went with the conversation
    }
    showNotice(`${session ? `The conversation “${sessionTitle(session)}”` : 'This conversation'} was deleted in another tab.`);
  }
}

// Leaving the message field ends editing it: what it shows is the draft, also when another tab changed it meanwhile.
ui.prompt.addEventListener('blur', () => {
  const key = state.draftKey;
  if (key && !ui.prompt.disabled && !ui.prompt.readOnly && (drafts.get(key)?.text ?? '') !== ui.prompt.value) {
    changeDraft(key, { text: ui.prompt.value });
  }
});

/** Sets the composer's text from the page (what is typed reaches the draft through `input`). */
function setComposerText(text) {
  ui.prompt.value = text;
  fitPlaceholder();
}

ui.prompt.addEventListener('input', () => {
  if (state.draftKey) {
    changeDraft(state.draftKey, { text: ui.prompt.value });
  }
  fitPlaceholder();
});

// The composer's placeholder (index.html's) names the keys where it fits; where it would be cut (a phone), a shorter
// one takes its place. Screen readers hear the keys either way (#composer-hint).
const PLACEHOLDERS = [ui.prompt.placeholder, 'Ask the copilot'];

function fitPlaceholder() {
  if (ui.prompt.value) {
    return; // the placeholder shows, and can be measured, only in an empty composer
  }
  for (const placeholder of PLACEHOLDERS) {
    ui.prompt.placeholder = placeholder;
    if (ui.prompt.scrollHeight <= ui.prompt.clientHeight && ui.prompt.scrollWidth <= ui.prompt.clientWidth) {
      return;
    }
  }
}

new ResizeObserver(fitPlaceholder).observe(ui.prompt);

// ---- sending, streaming, stopping, resuming ----

function setStreaming(streaming) {
  state.streaming = streaming;
  const busy = streaming !== null;
  const hadFocus = document.activeElement === ui.prompt || document.activeElement === ui.stop;
  ui.prompt.disabled = busy;
  ui.send.disabled = busy;
  ui.send.hidden = busy;
  ui.attach.disabled = busy;
  ui.stop.hidden = !busy;
  ui.stop.disabled = false;
  ui.composer.setAttribute('aria-busy', String(busy));
  ui.messageList.classList.toggle('busy', busy);
  if (hadFocus) {
    (busy ? ui.stop : ui.prompt).focus();
  }
}

/** Stops reading the current stream in this page (the reply goes on in the service). */
function stopListening() {
  state.streaming?.controller.abort();
  state.streaming = null;
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});

ui.prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  } else if (event.key === 'Escape' && state.sending) {
    event.preventDefault();
    cancelSending();
  }
});

async function send() {
  const chat = state.chat;
  if ((!ui.prompt.value.trim() && attachments.count === 0) || state.streaming || state.sending || !chat) {
    return;
  }
  const key = draftKeyOf(chat);
  // While photos upload the composer is locked: what is sent is what it showed when Send was pressed.
  const sending = { chat, controller: new AbortController() };
  if (attachments.uploading) {
    setSending(sending);
  }
  let photos;
  try {
    photos = await attachments.take(sending.controller.signal);
  } catch (error) {
    if (error?.name === 'AbortError') {
      return; // cancelled, or another conversation opened: the text and the photos are still its draft
    }
    throw error;
  } finally {
    if (state.sending === sending) {
      setSending(null);
    }
  }
  const text = ui.prompt.value.trim();
  const files = Attachments.parts(photos);
  if (!text && files.length === 0) {
    return; // every photo failed to upload, and each said why
  }
  // A message that may already be stored goes again under its id, so the service can never store it twice: it answers
  // with the stored reply, or (the text changed) keeps the new text as another version of that message. The draft
  // holds the message and its ids until the service is known to hold it, so that neither a reload nor another
  // conversation opened before the answer comes loses it or lets it be stored twice.
  if (chat.isNew) {
    // A first message that another tab sent without learning whether it was stored goes to the same conversation.
    chat.id = drafts.get(key)?.chatId ?? chat.id;
  }
  const retry = drafts.get(key)?.messageId ?? null;
  const message = { id: retry ?? uuid(), role: 'user', parts: [{ type: 'text', text }, ...files] };
  changeDraft(key, { text, photos: photos.map((photo) => photo.file.name), messageId: message.id, chatId: chat.id });
  const body = { id: chat.id, message };
  if (chat.isNew) {
    body.persona = chat.persona;
  }
  const userItem = messageItem(message.id, 'user', text, undefined, files);
  appendMessage(userItem);
  ui.messages.scrollTop = ui.messages.scrollHeight;
  setComposerText('');
  let restored = false;
  const putBack = () => {
    // The message goes back into the composer to be sent again, photos and all.
    restored = true;
    userItem.remove();
    attachments.restore(photos, key);
    if (state.draftKey === key) {
      setComposerText(drafts.get(key)?.text ?? text); // as another tab may have changed it meanwhile
      ui.conversationEmpty.hidden = ui.messageList.children.length > 0;
    }
  };
  await runTurn(chat, body, {
    refused: putBack,
    async uncertain(error) {
      const held = await holdsMessage(chat.id, message.id);
      if (held) {
        showNotice(error.status === 0
          ? 'The connection dropped while sending, but your message reached the service. The conversation is shown as stored.'
          : `The service reported a problem (HTTP ${error.status}) after storing your message. The conversation is shown as stored.`);
        return true;
      }
      putBack();
      showNotice(held === false
        ? `${error.message} Your message was not stored: it is back in the composer to send again.`
        : `${error.message} The page could not check whether your message was stored: it is back in the composer, ` +
          'and sending it again will not store it twice.');
      return false;
    },
    stored() {
      // Sent: its draft is done with, and a new chat's composer is its conversation's from now on. Text typed into it
      // meanwhile in another tab, different from what was sent, stays there as the draft of a new message.
      const draft = drafts.get(key);
      if (draft?.messageId === message.id) {
        const edited = draft.text.trim() !== text;
        changeDraft(key, { ...(edited ? {} : { text: '' }), photos: [], messageId: null, chatId: null });
      }
      if (state.chat === chat) {
        state.draftKey = draftKeyOf(chat);
      }
    },
    reloadAfter: retry !== null,
  });
  if (!restored) {
    Attachments.release(photos);
  }
}

/**
 * Whether the conversation `chatId` holds the user message sent under `messageId`: true or false, or null when the
 * service cannot say now (the message may or may not be stored).
 */
async function holdsMessage(chatId, messageId) {
  try {
    const page = await json(`/v1/sessions/${chatId}/messages?limit=${PAGE_SIZE}`);
    return page.data.some((m) => m.id === messageId || m.metadata?.client_message_id === messageId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return false; // the conversation does not exist: its first message was not stored
    }
    if (error instanceof ApiError) {
      return null;
    }
    throw error;
  }
}

/** Locks the composer while a message waits for its photos' uploads (Cancel or Escape unlocks it, nothing sent). */
function setSending(sending) {
  state.sending = sending;
  const waiting = sending !== null;
  const busy = waiting || state.streaming !== null;
  const hadFocus = document.activeElement === ui.cancelSend;
  ui.prompt.readOnly = waiting;
  ui.persona.disabled = waiting || !state.chat?.isNew;
  ui.send.hidden = busy;
  ui.send.disabled = busy;
  ui.cancelSend.hidden = !waiting;
  ui.sendingStatus.textContent = waiting
    ? 'Sending once the photos are uploaded. Cancel (or Escape) to change the message first.'
    : '';
  ui.composer.setAttribute('aria-busy', String(busy));
  ui.messageList.classList.toggle('busy', busy);
  if (hadFocus && !waiting) {
    ui.prompt.focus();
  }
}

/** Cancels a message that waits for its photos; its text and photos stay in the composer. True when one waited. */
function cancelSending() {
  const sending = state.sending;
  if (!sending) {
    return false;
  }
  sending.controller.abort();
  setSending(null);
  return true;
}

/** Another conversation opens: a message waiting for its photos is not sent to the one no longer shown. */
function leaveSending() {
  if (cancelSending()) {
    showNotice('Your message was not sent: another conversation was opened while its photos were uploading. ' +
      'It waits, with its photos, as the draft of the conversation it was written in.');
  }
}

ui.cancelSend.addEventListener('click', () => {
  cancelSending();
  ui.prompt.focus();
});

ui.attach.addEventListener('click', () => ui.attachInput.click());

ui.attachInput.addEventListener('change', () => {
  attachments.add([...ui.attachInput.files]);
  ui.attachInput.value = '';
  ui.prompt.focus();
});

ui.prompt.addEventListener('paste', (event) => {
  const files = [...(event.clipboardData?.files ?? [])];
  if (files.length > 0) {
    // A copied photo arrives as a file; text copied with it (a web page's) is left to paste as text.
    if (!event.clipboardData.types.includes('text/plain')) {
      event.preventDefault();
    }
    attachments.add(files);
  }
});

ui.conversation.addEventListener('dragover', (event) => {
  if (event.dataTransfer?.types.includes('Files')) {
    event.preventDefault();
    ui.conversation.classList.add('dropping');
  }
});

ui.conversation.addEventListener('dragleave', (event) => {
  if (!ui.conversation.contains(event.relatedTarget)) {
    ui.conversation.classList.remove('dropping');
  }
});

ui.conversation.addEventListener('drop', (event) => {
  ui.conversation.classList.remove('dropping');
  const files = [...(event.dataTransfer?.files ?? [])];
  if (files.length > 0) {
    event.preventDefault();
    attachments.add(files);
    ui.prompt.focus();
  }
});

ui.photoClose.addEventListener('click', () => ui.photoDialog.close());

/** Refusals of POST /v1/chat that come before anything is stored (docs/api.md, errors of /v1). */
const NOTHING_STORED = new Set([400, 404, 409, 413, 415, 429]);

/**
 * Sends `body` to /v1/chat and streams the reply into the conversation. `stored` runs as soon as the service is known
 * to hold the message. `refused` runs when the service answered that it stored nothing. `uncertain(error)` runs when
 * the send failed in a way that can come before or after the message was stored (a lost connection, 503, 500); it
 * answers whether the message turned out to be stored, and when it did the conversation is shown as stored and its
 * reply followed. With `reloadAfter`, the conversation is shown again as stored once the reply ends (a new version
 * changes what the page must show around it).
 */
async function runTurn(chat, body, { stored: onStored = () => {}, refused, uncertain = showAsStored, reloadAfter = false }) {
  clearNotice();
  const streaming = { chatId: chat.id, controller: new AbortController(), stopRequested: false };
  setStreaming(streaming);
  let accepted = false;
  let stored = false;
  const storedNow = () => {
    stored = true;
    markStored(chat, body);
    onStored();
  };
  try {
    const response = await request('/v1/chat', { method: 'POST', body, signal: streaming.controller.signal });
    accepted = true;
    storedNow();
    refreshSession(chat.id);
    await readReply(response, streaming);
  } catch (error) {
    if (accepted || !(error instanceof ApiError)) {
      handleError(error);
    } else if (error.status === 502) {
      // The model failed before its first word: the message and the failed reply are stored.
      storedNow();
      handleError(error);
      await reloadChat(chat).catch(handleError);
    } else if (NOTHING_STORED.has(error.status)) {
      await refused();
      handleError(error);
    } else {
      const found = await uncertain(error).catch((failure) => {
        handleError(failure);
        return false;
      });
      if (found) {
        storedNow();
        await reloadChat(chat).catch(handleError);
      }
    }
  } finally {
    if (state.streaming === streaming) {
      setStreaming(null);
    }
  }
  if (stored && !accepted && state.chat === chat) {
    // The answer was lost, not the message: follow its reply if it still runs.
    await resume(chat.id).catch(handleError);
  }
  if (!chat.isNew && state.chat === chat) {
    if (reloadAfter && accepted) {
      await reloadChat(chat).catch(handleError);
    }
    await refreshSession(chat.id);
  }
}

/** The `uncertain` of a regeneration or an edit, whose message is stored: shows what the service holds. */
async function showAsStored(error) {
  showNotice(`${error.message} The conversation is shown as the service has it.`);
  return true;
}

/** A conversation whose message the service stored exists from now on, with the persona it was sent with. */
function markStored(chat, body) {
  if (chat.isNew) {
    chat.isNew = false;
    chat.persona = body.persona;
    if (state.chat === chat) {
      showChatInAddress(chat.id);
      ui.persona.disabled = true;
    }
  }
}

// ---- regenerate, edit, and moving between versions ----

function previousUserItem(item) {
  let previous = item.previousElementSibling;
  while (previous && !previous.classList.contains('user')) {
    previous = previous.previousElementSibling;
  }
  return previous;
}

/** A new reply to the question before `reply`; the old one stays as an earlier version. */
async function regenerate(reply) {
  const chat = state.chat;
  const question = previousUserItem(reply);
  if (!chat || state.streaming || state.sending || !question) {
    return;
  }
  const message = { id: question.dataset.id, role: 'user', parts: [{ type: 'text', text: question.dataset.text }, ...question.photos] };
  reply.remove();
  await runTurn(chat, { id: chat.id, message, trigger: 'regenerate-message' }, {
    refused: () => reloadChat(chat),
    reloadAfter: true,
  });
  if (document.activeElement === document.body) {
    ui.messageList.querySelector('li.message.assistant:last-child .message-regenerate')?.focus();
  }
}

/** An inline editor in place of a user message: Enter saves, Shift+Enter starts a new line, Escape cancels. */
function startEdit(item) {
  if (state.streaming || state.sending || !state.chat) {
    return;
  }
  state.closeEditor?.();
  const body = item.querySelector('.message-body');
  const editor = document.createElement('form');
  editor.className = 'message-editor';
  const field = document.createElement('textarea');
  field.value = item.dataset.text;
  field.rows = Math.min(8, field.value.split('\n').length + 1);
  field.setAttribute('aria-label', 'Edited message');
  const buttons = document.createElement('div');
  buttons.className = 'editor-buttons';
  const cancel = textButton('Cancel', 'Cancel editing', 'editor-cancel', () => close());
  const save = document.createElement('button');
  save.type = 'submit';
  save.className = 'primary';
  save.textContent = 'Save and send';
  buttons.append(cancel, save);
  editor.append(field, buttons);

  const close = () => {
    editor.remove();
    body.hidden = false;
    item.classList.remove('editing');
    state.closeEditor = null;
  };
  state.closeEditor = close;
  field.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      editor.requestSubmit();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
      item.querySelector('.message-edit')?.focus();
    }
  });
  editor.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = field.value.trim();
    if (!text) {
      return;
    }
    close();
    if (text === item.dataset.text) {
      item.querySelector('.message-edit')?.focus();
      return;
    }
    saveEdit(item, text);
  });

  item.classList.add('editing');
  body.hidden = true;
  body.after(editor);
  field.focus();
  field.setSelectionRange(field.value.length, field.value.length);
}

/** Sends the edited text under the message's id: the service keeps it as a new version and answers it. */
async function saveEdit(item, text) {
  const chat = state.chat;
  if (!chat || state.streaming || state.sending) {
    return;
  }
  // The edited message keeps its photos.
  const message = { id: item.dataset.id, role: 'user', parts: [{ type: 'text', text }, ...item.photos] };
  // What followed the old version stays on its branch in the service; the page goes on from the new one.
  while (item.nextElementSibling) {
    item.nextElementSibling.remove();
  }
  setMessageText(item, text);
  ui.prompt.focus();
  await runTurn(chat, { id: chat.id, message }, { refused: () => reloadChat(chat), reloadAfter: true });
}

/** Makes the path through `messageId` the conversation, shows it, and keeps the focus on the switcher it came from. */
async function switchVersion(messageId, direction) {
  const chat = state.chat;
  if (!chat || state.streaming || state.sending || !messageId) {
    return;
  }
  clearNotice();
  try {
    await json(`/v1/sessions/${chat.id}/active`, { method: 'PUT', body: { message_id: messageId } });
    await reloadChat(chat);
    while (state.chat === chat && !messageElement(messageId) && chat.hasMore) {
      await loadOlderMessages();
    }
    const switcher = messageElement(messageId)?.querySelector('.versions');
    const same = switcher?.querySelector(`.version-${direction}`);
    (same && !same.disabled ? same : switcher?.querySelector('button:not(:disabled)'))?.focus();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      await reloadChat(chat).catch(() => {});
    }
    handleError(error);
  }
}

/** Shows the conversation's newest page again (after a 502 the service stored the failed reply). */
async function reloadChat(chat) {
  if (state.chat !== chat) {
    return;
  }
  chat.before = null;
  ui.messageList.replaceChildren();
  await loadOlderMessages();
}

/** Reads a reply stream into the conversation; reconnects (with Last-Event-ID) when the connection drops. */
async function readReply(response, streaming) {
  const reply = { item: null, text: '', lastEventId: null, finished: false };
  for (let attempt = 0; ; attempt++) {
    try {
      await readParts(response, streaming, reply);
      if (reply.finished || streaming.controller.signal.aborted) {
        return;
      }
    } catch (error) {
      if (streaming.controller.signal.aborted) {
        return;
      }
      if (error instanceof SyntaxError) {
        throw error;
      }
    }
    // The stream ended without `finish`: the connection was lost. The service keeps writing, so reconnect.
    if (attempt >= RESUME_DELAYS_MS.length) {
      throw new ApiError(0);
    }
    showNotice('Lost the connection while the reply was streaming. Reconnecting…');
    await delay(RESUME_DELAYS_MS[attempt], streaming.controller.signal);
    const headers = reply.lastEventId ? { 'Last-Event-ID': reply.lastEventId } : {};
    try {
      response = await request(`/v1/chat/${streaming.chatId}/stream`, {
        headers, signal: streaming.controller.signal, allow: [204],
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) {
        continue;
      }
      throw error;
    }
    if (response.status === 204) {
      // The reply ended while we were away: show what was stored.
      clearNotice();
      await reloadChat(state.chat);
      return;
    }
    clearNotice();
  }
}

async function readParts(response, streaming, reply) {
  let frame = 0;
  const render = () => {
    frame = 0;
    if (reply.item) {
      setMessageText(reply.item, reply.text);
      keepScrolledToBottom();
    }
  };
  for await (const { id, part } of uiMessageParts(response)) {
    if (id) {
      reply.lastEventId = id;
    }
    if (part === null) {
      break;
    }
    switch (part.type) {
      case 'start': {
        reply.text = '';
        reply.item = messageElement(part.messageId) ?? reply.item;
        if (!reply.item) {
          reply.item = messageItem(part.messageId, 'assistant', '');
          appendMessage(reply.item);
        }
        reply.item.dataset.id = part.messageId ?? '';
        reply.item.setAttribute('aria-busy', 'true');
        setMessageStatus(reply.item, part.messageMetadata);
        break;
      }
      case 'text-delta':
        reply.text += part.delta;
        frame ||= requestAnimationFrame(render);
        break;
      case 'error':
        showNotice(`The reply was cut short: ${part.errorText}`);
        break;
      case 'abort':
        reply.stopped = true;
        break;
      case 'finish':
        reply.finished = true;
        if (reply.item) {
          setMessageStatus(reply.item, part.messageMetadata ?? (reply.stopped ? { status: 'stopped' } : null));
        }
        break;
      default:
        break;
    }
  }
  if (frame) {
    cancelAnimationFrame(frame);
  }
  render();
  reply.item?.removeAttribute('aria-busy');
}

function keepScrolledToBottom() {
  const distance = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight;
  if (distance < 160) {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }
}

/** After a reload or when a conversation is opened: follow its in-flight reply, if any. */
async function resume(chatId) {
  const streaming = { chatId, controller: new AbortController(), stopRequested: false };
  const response = await request(`/v1/chat/${chatId}/stream`, { signal: streaming.controller.signal, allow: [204] });
  if (state.chat?.id !== chatId || state.streaming) {
    streaming.controller.abort(); // another conversation, or a reply of its own, took the page meanwhile
    return;
  }
  if (response.status === 204) {
    // No reply runs. If the history ends with a question, its reply ended between reading the history and asking
    // here (a reply in flight is not in the history): read the history again to show it.
    if (ui.messageList.lastElementChild?.classList.contains('user')) {
      await reloadChat(state.chat);
    }
    return;
  }
  setStreaming(streaming);
  try {
    await readReply(response, streaming);
  } finally {
    if (state.streaming === streaming) {
      setStreaming(null);
    }
  }
  await refreshSession(chatId);
}

ui.stop.addEventListener('click', async () => {
  const streaming = state.streaming;
  if (!streaming || streaming.stopRequested) {
    return;
  }
  streaming.stopRequested = true;
  ui.stop.disabled = true;
  try {
    // The stream then ends by itself with what was written, which the service stores as `stopped`.
    await request(`/v1/chat/${streaming.chatId}/stop`, { method: 'POST' });
  } catch (error) {
    ui.stop.disabled = false;
    streaming.stopRequested = false;
    handleError(error);
  }
});

// ---- search ----

const SEARCH_DELAY_MS = 250;

async function search(more = false) {
  const q = ui.searchInput.value.trim();
  if (!q) {
    endSearch();
    return;
  }
  const run = more && state.search ? state.search : { q, cursor: null };
  state.search = run;
  ui.searchResults.hidden = false;
  ui.sessionScroll.hidden = true;
  ui.searchStatus.textContent = 'Searching…';
  const query = new URLSearchParams({ q: run.q, limit: String(PAGE_SIZE) });
  if (more && run.cursor) {
    query.set('after', run.cursor);
  }
  let page;
  try {
    page = await json(`/v1/search?${query}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400 && state.search === run) {
      // Typed so far: nothing to look for yet ("how", "-"), not a fault worth a banner.
      ui.searchList.replaceChildren();
      ui.searchStatus.textContent = 'Type a word or a job number to search for (common words like "how" are left out).';
      return;
    }
    if (!(error instanceof ApiError && error.code === 'search_rebuilding')) {
      throw error;
    }
    // The service lost its search index in a database crash and is rebuilding it: said where the results go.
    if (state.search === run) {
      ui.searchStatus.textContent = 'Search is being rebuilt after a database restart and will be back shortly; ' +
        'your conversations are all there. Search again in a few seconds.';
    }
    return;
  }
  if (state.search !== run) {
    return;
  }
  if (!more) {
    ui.searchList.replaceChildren();
  }
  ui.searchList.append(...page.data.map(hitItem));
  run.cursor = page.next_cursor ?? null;
  ui.moreResults.hidden = !run.cursor;
  const count = ui.searchList.children.length;
  ui.searchStatus.textContent = count === 0
    ? `Nothing found for “${run.q}”.`
    : `${count}${run.cursor ? '+' : ''} result${count === 1 ? '' : 's'} for “${run.q}”`;
}

function endSearch() {
  clearTimeout(state.searchTimer);
  state.search = null;
  ui.searchList.replaceChildren();
  ui.searchResults.hidden = true;
  ui.sessionScroll.hidden = false;
}

function hitItem(hit) {
  const item = document.createElement('li');
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'search-hit';
  const title = document.createElement('span');
  title.className = 'hit-title';
  title.textContent = sessionTitle(hit);
  const snippet = document.createElement('span');
  snippet.className = 'hit-snippet';
  snippet.append(...markedText(hit.snippet, hit.matches));
  const details = document.createElement('span');
  details.className = 'hit-details';
  const where = hit.kind === 'title' ? 'Title' : hit.role === 'user' ? 'You' : 'Copilot';
  const version = hit.on_active_path === false ? ' · another version' : '';
  const more = hit.hits_in_session > 1 ? ` · ${hit.hits_in_session} matches in this conversation` : '';
  details.textContent = `${where}${version} · ${formatTime(hit.created_at)}${more}`;
  open.append(title, snippet, details);
  open.addEventListener('click', () => openHit(hit).catch(handleError));
  item.append(open);
  return item;
}

/** The snippet as text nodes with each match in a <mark>: what a message holds is shown, never parsed as markup. */
function markedText(text, matches) {
  const nodes = [];
  let at = 0;
  for (const { start, length } of matches) {
    if (start < at || start + length > text.length) {
      continue;
    }
    nodes.push(document.createTextNode(text.slice(at, start)));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(start, start + length);
    nodes.push(mark);
    at = start + length;
  }
  nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

async function openHit(hit) {
  closeSidebarOnNarrowScreens();
  if (hit.kind === 'message' && hit.on_active_path === false) {
    // The hit is on another version of the conversation: show that version.
    await json(`/v1/sessions/${hit.session_id}/active`, { method: 'PUT', body: { message_id: hit.message_id } });
  }
  await openChat(hit.session_id, hit.kind === 'message' ? hit.message_id : null);
}

function focusSearch() {
  if (!ui.app.classList.contains('sidebar-open') && matchMedia('(max-width: 720px)').matches) {
    ui.toggleSidebar.click();
  }
  ui.searchInput.focus();
  ui.searchInput.select();
}

ui.searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(state.searchTimer);
  search().catch(handleError);
});

ui.searchInput.addEventListener('input', () => {
  clearTimeout(state.searchTimer);
  state.searchTimer = setTimeout(() => search().catch(handleError), SEARCH_DELAY_MS);
});

ui.searchInput.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && (ui.searchInput.value || state.search)) {
    event.preventDefault();
    event.stopPropagation();
    ui.searchInput.value = '';
    endSearch();
  }
});

ui.moreResults.addEventListener('click', () => search(true).catch(handleError));

document.addEventListener('keydown', (event) => {
  const target = event.target;
  const typing = target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
  const shortcut = (event.key.toLowerCase() === 'k' && (event.ctrlKey || event.metaKey)) ||
    (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey);
  if (shortcut && !ui.app.hidden) {
    event.preventDefault();
    focusSearch();
  }
});

// ---- small things ----

function delay(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('Aborted', 'AbortError'));
    }, { once: true });
  });
}

function uuid() {
  if (crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function closeSidebarOnNarrowScreens() {
  if (ui.app.classList.contains('sidebar-open')) {
    ui.app.classList.remove('sidebar-open');
    ui.toggleSidebar.setAttribute('aria-expanded', 'false');
    ui.toggleSidebar.setAttribute('aria-label', 'Show conversations');
  }
}

ui.toggleSidebar.addEventListener('click', () => {
  const open = ui.app.classList.toggle('sidebar-open');
  ui.toggleSidebar.setAttribute('aria-expanded', String(open));
  ui.toggleSidebar.setAttribute('aria-label', open ? 'Hide conversations' : 'Show conversations');
  if (open) {
    ui.newChat.focus();
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && ui.app.classList.contains('sidebar-open')) {
    closeSidebarOnNarrowScreens();
    ui.toggleSidebar.focus();
  }
});

start();
