// Each conversation's unsent message, kept in this browser's localStorage per user and conversation, so that it waits
// while other conversations are open and survives a reload: the composer's text, the new chat's persona, and, from the
// moment it is sent until the service is known to hold it, the ids it went under, so that sending it again can never
// store it twice. Tabs of the same user share them: `changeOf` reads another tab's change from its `storage` event.
// The names of a draft's photos are the tab's own (sessionStorage, which lasts as long as the tab, reloads included):
// the photos themselves stay in the page that attached them (see Attachments), so only that tab, once reloaded, has
// photos to ask for again; another tab showing the same draft has none of them and says nothing of them.

const PREFIX = 'copilot.draft.';
const PHOTOS_PREFIX = 'copilot.draft-photos.';
const CONVERSATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The draft key of the new chat, whose conversation does not exist yet; a conversation's key is its id. */
export const NEW_CHAT = 'new';

/** True when `draft` holds something to send: text or photos. */
export function hasContent(draft) {
  return Boolean(draft && (draft.text.trim() || draft.photos.length > 0));
}

/**
 * A draft as stored in localStorage (JSON), with every field but the tab's photos (photos: [], whatever an older page
 * stored there); null when there is none or it cannot be read.
 */
function parse(json) {
  try {
    const draft = JSON.parse(json);
    return typeof draft?.text === 'string' ? { messageId: null, chatId: null, persona: null, ...draft, photos: [] } : null;
  } catch {
    return null;
  }
}

/** Photo names as this tab stored them (JSON); [] when there are none or they cannot be read. */
function parseNames(json) {
  try {
    const names = JSON.parse(json);
    return Array.isArray(names) ? names.filter((name) => typeof name === 'string') : [];
  } catch {
    return [];
  }
}

export class Drafts {
  #user = null;
  /** Drafts that localStorage refused (it is full, or turned off): they last as long as the page. */
  #unstored = new Map();
  /** Photo names that sessionStorage refused: they last as long as the page. */
  #unstoredPhotos = new Map();

  /** Keeps the drafts of user `id` (a token's `sub`) from now on; with null, drafts last as long as the page. */
  use(id) {
    if (id !== this.#user) {
      this.#user = id;
      this.#unstored.clear();
      this.#unstoredPhotos.clear();
    }
  }

  /**
   * The draft of `key`: { text, photos (the names of the photos attached to it in this tab), messageId, chatId,
   * persona (the new chat's) }, or null.
   */
  get(key) {
    const shared = this.#shared(key);
    const photos = this.#photoNames(key);
    if (!shared && photos.length === 0) {
      return null;
    }
    return { text: '', messageId: null, chatId: null, persona: null, ...shared, photos };
  }

  /** True when the draft of `key` holds something to send: text or photos. */
  hasContent(key) {
    return hasContent(this.get(key));
  }

  /**
   * Changes the draft of `key` by `changes` (photos: this tab's). The shared draft, left with no text, no ids to send
   * again under and no persona picked, is removed, and so are this tab's photo names when there are none.
   */
  update(key, changes) {
    if (changes.photos) {
      this.#storePhotoNames(key, changes.photos);
    }
    const { text, messageId, chatId, persona } = { text: '', messageId: null, chatId: null, persona: null, ...this.#shared(key), ...changes };
    const draft = { text, messageId, chatId, persona };
    if (!text.trim() && !messageId && !persona) {
      this.#removeShared(key);
    } else if (this.#user && this.#store(key, draft)) {
      this.#unstored.delete(key);
    } else {
      this.#unstored.set(key, draft);
    }
  }

  remove(key) {
    this.#removeShared(key);
    this.#storePhotoNames(key, []);
  }

  /** The keys of the conversations (not the new chat) that have a draft. */
  conversations() {
    const keys = new Set([...this.#unstored.keys(), ...this.#unstoredPhotos.keys()]);
    this.#forEachStored('localStorage', PREFIX, (_, key) => keys.add(key));
    this.#forEachStored('sessionStorage', PHOTOS_PREFIX, (_, key) => keys.add(key));
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

  /** Forgets every draft of the user in this browser, and the photo names of this tab (signing out). */
  forgetAll() {
    this.#unstored.clear();
    this.#unstoredPhotos.clear();
    this.#forEachStored('localStorage', PREFIX, (storageKey) => localStorage.removeItem(storageKey));
    this.#forEachStored('sessionStorage', PHOTOS_PREFIX, (storageKey) => sessionStorage.removeItem(storageKey));
  }

  /** The shared part of the draft of `key` (photos: []), or null. */
  #shared(key) {
    if (this.#unstored.has(key)) {
      return this.#unstored.get(key);
    }
    try {
      return this.#user ? parse(localStorage.getItem(this.#storageKey(key))) : null;
    } catch {
      return null; // localStorage is turned off
    }
  }

  #removeShared(key) {
    this.#unstored.delete(key);
    try {
      if (this.#user) {
        localStorage.removeItem(this.#storageKey(key));
      }
    } catch {
      // localStorage is turned off: the draft was only ever in the page.
    }
  }

  /** The names of the photos attached in this tab to the draft of `key`. */
  #photoNames(key) {
    if (this.#unstoredPhotos.has(key)) {
      return this.#unstoredPhotos.get(key);
    }
    try {
      return this.#user ? parseNames(sessionStorage.getItem(this.#storageKey(key, PHOTOS_PREFIX))) : [];
    } catch {
      return []; // sessionStorage is turned off
    }
  }

  /** Keeps `names` as this tab's photo names of the draft of `key` (none: forgets them). */
  #storePhotoNames(key, names) {
    this.#unstoredPhotos.delete(key);
    try {
      if (this.#user && names.length === 0) {
        sessionStorage.removeItem(this.#storageKey(key, PHOTOS_PREFIX));
        return;
      }
      if (this.#user) {
        sessionStorage.setItem(this.#storageKey(key, PHOTOS_PREFIX), JSON.stringify(names));
        return;
      }
    } catch {
      // sessionStorage refused them (full, or turned off): they last as long as the page.
    }
    if (names.length > 0) {
      this.#unstoredPhotos.set(key, [...names]);
    }
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

  #storageKey(key, prefix = PREFIX) {
    return `${prefix}${this.#user}.${key}`;
  }

  /** Calls `action(storageKey, key)` for each entry of the user under `prefix` in window[`storageName`]. */
  #forEachStored(storageName, prefix, action) {
    if (!this.#user) {
      return;
    }
    const userPrefix = this.#storageKey('', prefix);
    try {
      const storage = window[storageName];
      const mine = [];
      for (let i = 0; i < storage.length; i++) {
        const storageKey = storage.key(i);
        if (storageKey?.startsWith(userPrefix)) {
          mine.push(storageKey);
        }
      }
      for (const storageKey of mine) {
        action(storageKey, storageKey.slice(userPrefix.length));
      }
    } catch {
      // The storage is turned off: there is nothing of it to go through.
    }
  }
}
