// Each conversation's unsent message, kept in this browser's localStorage per user and conversation, so that it waits
// while other conversations are open and survives a reload: the composer's text, the names of its photos (the photos
// themselves stay in the page: see Attachments), the new chat's persona, and, from the moment it is sent until the
// service is known to hold it, the ids it went under, so that sending it again can never store it twice. Tabs of the
// same user share them: `changeOf` reads another tab's change from its `storage` event.

const PREFIX = 'copilot.draft.';
const CONVERSATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The draft key of the new chat, whose conversation does not exist yet; a conversation's key is its id. */
export const NEW_CHAT = 'new';

/** True when `draft` holds something to send: text or photos. */
export function hasContent(draft) {
  return Boolean(draft && (draft.text.trim() || draft.photos.length > 0));
}

/** A draft as stored (JSON), with every field; null when there is none or it cannot be read. */
function parse(json) {
  try {
    const draft = JSON.parse(json);
    return typeof draft?.text === 'string' ? { photos: [], messageId: null, chatId: null, persona: null, ...draft } : null;
  } catch {
    return null;
  }
}

export class Drafts {
  #user = null;
  /** Drafts that localStorage refused (it is full, or turned off): they last as long as the page. */
  #unstored = new Map();

  /** Keeps the drafts of user `id` (a token's `sub`) from now on; with null, drafts last as long as the page. */
  use(id) {
    if (id !== this.#user) {
      this.#user = id;
      this.#unstored.clear();
    }
  }

  /** The draft of `key`: { text, photos (file names), messageId, chatId, persona (the new chat's) }, or null. */
  get(key) {
    if (this.#unstored.has(key)) {
      return this.#unstored.get(key);
    }
    try {
      return this.#user ? parse(localStorage.getItem(this.#storageKey(key))) : null;
    } catch {
      return null; // localStorage is turned off
    }
  }

  /** True when the draft of `key` holds something to send: text or photos. */
  hasContent(key) {
    return hasContent(this.get(key));
  }

  /**
   * Changes the draft of `key` by `changes`. A draft left with nothing to send, no ids to send again under and no
   * persona picked is removed.
   */
  update(key, changes) {
    const draft = { text: '', photos: [], messageId: null, chatId: null, persona: null, ...this.get(key), ...changes };
    if (!draft.text.trim() && draft.photos.length === 0 && !draft.messageId && !draft.persona) {
      this.remove(key);
      return;
    }
    if (this.#user && this.#store(key, draft)) {
      this.#unstored.delete(key);
    } else {
      this.#unstored.set(key, draft);
    }
  }

  remove(key) {
    this.#unstored.delete(key);
    try {
      if (this.#user) {
        localStorage.removeItem(this.#storageKey(key));
      }
    } catch {
      // localStorage is turned off: the draft was only ever in the page.
    }
  }

  /** The keys of the conversations (not the new chat) that have a draft. */
  conversations() {
    const keys = new Set(this.#unstored.keys());
    this.#forEachStored((_, key) => keys.add(key));
    return [...keys].filter((key) => CONVERSATION_ID.test(key));
  }

  /**
   * Another tab's change to one of the user's drafts, read from a `storage` event: { key, before, after } (each a draft
   * or null), or null when the event is about anything else. When another tab cleared all of localStorage, key is
   * null.
   */
  changeOf(event) {
    if (!this.#user || event.storageArea !== localStorage) {
      return null;
    }
    if (event.key === null) {
      return { key: null, before: null, after: null };
    }
    const prefix = this.#storageKey('');
    if (!event.key.startsWith(prefix)) {
      return null;
    }
    const key = event.key.slice(prefix.length);
    if (this.#unstored.has(key)) {
      return null; // this page keeps its own (localStorage refused it), which the other tab's change does not touch
    }
    return { key, before: parse(event.oldValue), after: parse(event.newValue) };
  }

  /** Forgets every draft of the user in this browser (signing out). */
  forgetAll() {
    this.#unstored.clear();
    this.#forEachStored((storageKey) => localStorage.removeItem(storageKey));
  }

  /** Writes a draft to localStorage; false when it refuses. */
  #store(key, draft) {
    try {
      localStorage.setItem(this.#storageKey(key), JSON.stringify(draft));
      return true;
    } catch {
      return false;
    }
  }

  #storageKey(key) {
    return `${PREFIX}${this.#user}.${key}`;
  }

  /** Calls `action(storageKey, key)` for each draft of the user in localStorage. */
  #forEachStored(action) {
    if (!this.#user) {
      return;
    }
    const prefix = this.#storageKey('');
    try {
      const mine = [];
      for (let i = 0; i < localStorage.length; i++) {
        const storageKey = localStorage.key(i);
        if (storageKey?.startsWith(prefix)) {
          mine.push(storageKey);
        }
      }
      for (const storageKey of mine) {
        action(storageKey, storageKey.slice(prefix.length));
      }
    } catch {
      // localStorage is turned off: there is nothing of it to go through.
    }
  }
}
