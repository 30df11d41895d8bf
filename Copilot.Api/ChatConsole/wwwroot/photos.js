// Photos in the console: the composer's attachments (picked, taken with a phone's camera, pasted or dropped), each
// uploaded at once with its progress shown, and the photos of a message, opened full size on click.

import { upload } from './api.js';

/** The file parts of a stored or sent UI message. */
export function photosOf(message) {
  return (message.parts ?? []).filter((part) => part.type === 'file' && part.mediaType?.startsWith('image/'));
}

/** A message's photos as thumbnails; each opens full size in `viewer` (a <dialog> with an <img>). */
export function photoStrip(photos, viewer) {
  const strip = document.createElement('div');
  strip.className = 'message-photos';
  for (const photo of photos) {
    const name = photo.filename || 'Photo';
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'message-photo';
    open.setAttribute('aria-label', `Open ${name} full size`);
    const image = document.createElement('img');
    image.src = `${photo.url}&size=thumb`;
    image.alt = name;
    image.loading = 'lazy';
    open.append(image);
    open.addEventListener('click', () => showFullSize(viewer, photo, open));
    strip.append(open);
  }
  return strip;
}

function showFullSize(viewer, photo, opener) {
  const image = viewer.querySelector('img');
  image.src = photo.url;
  image.alt = photo.filename || 'Photo';
  viewer.querySelector('.photo-name').textContent = photo.filename || '';
  viewer.addEventListener('close', () => {
    image.removeAttribute('src');
    opener.focus();
  }, { once: true });
  viewer.showModal();
}

/**
 * The composer's photos, kept apart per draft (each conversation's unsent message has its own; see drafts.js): `list`
 * shows those of the draft `show(key)` named, `onError(sentence)` reports a photo that could not be attached, and
 * `onChange(key)` says that the photos of draft `key` changed. Each photo uploads as soon as it is added, and goes on
 * uploading while another conversation is shown; `take()` waits for the uploads and hands over their file parts. They
 * live as long as the page: their previews are the page's own, and the service deletes a photo no message shows a day
 * after its upload.
 */
export class Attachments {
  #drafts = new Map(); // draft key -> its photos, each { file, preview, progress, stored, controller, done, key, element }
  #shown = null;
  #list;
  #onError;
  #onChange;

  constructor(list, onError, onChange = () => {}) {
    this.#list = list;
    this.#onError = onError;
    this.#onChange = onChange;
  }

  /** Shows the photos of draft `key` in the composer. */
  show(key) {
    this.#shown = key;
    this.#render();
  }

  get count() {
    return this.#of(this.#shown).length;
  }

  /** True while a photo of the composer is still uploading. */
  get uploading() {
    return this.#of(this.#shown).some((item) => !item.stored);
  }

  /** The file names of the photos of draft `key`. */
  names(key) {
    return this.#of(key).map((item) => item.file.name);
  }

  /** Adds the image files among `files` to the composer; anything else is reported, not attached. */
  add(files) {
    const key = this.#shown;
    for (const file of files) {
      if (!file.type.startsWith('image/') && !/\.(heic|heif)$/i.test(file.name)) {
        this.#onError(`“${file.name}” is not a photo. Attach a JPEG, PNG, WebP, GIF or HEIC image.`);
        continue;
      }
      this.#start(file, key);
    }
    this.#changed(key);
  }

  /**
   * Waits for every upload of the composer and empties it; answers the photos, which `restore` puts back. When
   * `signal` aborts first, it throws an AbortError and leaves every photo where it was, its upload still running.
   */
  async take(signal) {
    const key = this.#shown;
    const aborted = new Promise((_, reject) => {
      signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')), { once: true });
    });
    aborted.catch(() => {});
    // Photos added while waiting are waited for too; a failed upload has left the list by then.
    while (this.#of(key).some((item) => !item.stored)) {
      if (signal?.aborted) {
        throw new DOMException('Aborted', 'AbortError');
      }
      await Promise.race([Promise.all(this.#of(key).map((item) => item.done)), aborted]);
    }
    if (signal?.aborted) {
      throw new DOMException('Aborted', 'AbortError');
    }
    const taken = this.#of(key);
    this.#drafts.delete(key);
    this.#changed(key);
    return taken;
  }

  /** The file parts of photos `take` answered, in their order. */
  static parts(taken) {
    return taken.map((item) => ({
      type: 'file',
      mediaType: item.stored.media_type,
      filename: item.file.name,
      url: item.stored.url,
    }));
  }

  /** Puts photos `take` answered back into draft `key` (the message carrying them was refused). */
  restore(taken, key) {
    for (const item of taken) {
      item.key = key;
    }
    this.#drafts.set(key, [...taken, ...this.#of(key)]);
    this.#changed(key);
  }

  /** Drops the photos of draft `key` (its conversation was deleted). */
  discard(key) {
    Attachments.#drop(this.#of(key));
    this.#drafts.delete(key);
    this.#changed(key);
  }

  /** Drops every photo of every draft (signing out). */
  clear() {
    for (const items of this.#drafts.values()) {
      Attachments.#drop(items);
    }
    this.#drafts.clear();
    this.#render();
  }

  /** Lets go of photos that were sent. */
  static release(taken) {
    for (const item of taken) {
      URL.revokeObjectURL(item.preview);
    }
  }

  static #drop(items) {
    for (const item of items) {
      item.controller.abort();
    }
    Attachments.release(items);
  }

  #of(key) {
    return this.#drafts.get(key) ?? [];
  }

  #changed(key) {
    if (key === this.#shown) {
      this.#render();
    }
    this.#onChange(key);
  }

  #start(file, key) {
    const controller = new AbortController();
    const item = { file, preview: URL.createObjectURL(file), progress: 0, stored: null, controller, key, element: null };
    item.done = upload(file, {
      signal: controller.signal,
      onProgress: (fraction) => {
        item.progress = fraction;
        item.element?.querySelector('progress')?.setAttribute('value', String(Math.round(fraction * 100)));
      },
    }).then((stored) => {
      item.stored = stored;
      if (item.key === this.#shown) {
        this.#render();
      }
    }, (error) => {
      if (error?.name !== 'AbortError') {
        this.#onError(`“${file.name}” was not attached. ${error.message}`);
      }
      this.#remove(item);
    });
    this.#drafts.set(key, [...this.#of(key), item]);
  }

  #remove(item) {
    item.controller.abort();
    URL.revokeObjectURL(item.preview);
    const rest = this.#of(item.key).filter((other) => other !== item);
    if (rest.length > 0) {
      this.#drafts.set(item.key, rest);
    } else {
      this.#drafts.delete(item.key);
    }
    this.#changed(item.key);
  }

  #render() {
    const items = this.#of(this.#shown);
    const focused = this.#list.contains(document.activeElement) ? document.activeElement.dataset.index : null;
    this.#list.replaceChildren(...items.map((item, index) => {
      item.element = this.#element(item, index);
      return item.element;
    }));
    this.#list.hidden = items.length === 0;
    if (focused !== null && focused !== undefined) {
      // The focus stays on a remove button (the next one), or goes back to the composer's attach button.
      const next = this.#list.querySelector(`[data-index="${Math.min(Number(focused), items.length - 1)}"]`);
      (next ?? document.getElementById('attach')).focus();
    }
  }

  #element(item, index) {
    const element = document.createElement('li');
    element.className = 'attachment';
    element.dataset.state = item.stored ? 'uploaded' : 'uploading';
    const preview = document.createElement('img');
    preview.src = item.preview;
    preview.alt = item.file.name;
    element.append(preview);
    if (!item.stored) {
      const progress = document.createElement('progress');
      progress.max = 100;
      progress.value = Math.round(item.progress * 100);
      progress.setAttribute('aria-label', `Uploading ${item.file.name}`);
      element.append(progress);
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'icon attachment-remove';
    remove.textContent = '×';
    remove.dataset.index = String(index);
    remove.setAttribute('aria-label', `Remove ${item.file.name}`);
    remove.title = `Remove ${item.file.name}`;
    remove.addEventListener('click', () => this.#remove(item));
    element.append(remove);
    return element;
  }
}
