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
 * The composer's photos. `list` shows them, `onError(sentence)` reports a photo that could not be attached. Each
 * photo uploads as soon as it is added; `take()` waits for the uploads and hands over their file parts.
 */
export class Attachments {
  #items = [];
  #list;
  #onError;

  constructor(list, onError) {
    this.#list = list;
    this.#onError = onError;
  }

  get count() {
    return this.#items.length;
  }

  /** True while a photo of the composer is still uploading. */
  get uploading() {
    return this.#items.some((item) => !item.stored);
  }

  /** Adds the image files among `files`; anything else is reported, not attached. */
  add(files) {
    for (const file of files) {
      if (!file.type.startsWith('image/') && !/\.(heic|heif)$/i.test(file.name)) {
        this.#onError(`“${file.name}” is not a photo. Attach a JPEG, PNG, WebP, GIF or HEIC image.`);
        continue;
      }
      this.#start(file);
    }
    this.#render();
  }

  /**
   * Waits for every upload and empties the composer; answers the photos, which `restore` puts back. When `signal`
   * aborts first, it throws an AbortError and leaves every photo in the composer, its upload still running.
   */
  async take(signal) {
    const aborted = new Promise((_, reject) => {
      signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')), { once: true });
    });
    aborted.catch(() => {});
    // Photos added while waiting are waited for too; a failed upload has left the list by then.
    while (this.#items.some((item) => !item.stored)) {
      if (signal?.aborted) {
        throw new DOMException('Aborted', 'AbortError');
      }
      await Promise.race([Promise.all(this.#items.map((item) => item.done)), aborted]);
    }
    if (signal?.aborted) {
      throw new DOMException('Aborted', 'AbortError');
    }
    const taken = this.#items;
    this.#items = [];
    this.#render();
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

  /** Puts photos back into the composer (the message carrying them was refused). */
  restore(taken) {
    this.#items = [...taken, ...this.#items];
    this.#render();
  }

  /** Drops every photo of the composer (signing out). */
  clear() {
    for (const item of this.#items) {
      item.controller.abort();
    }
    Attachments.release(this.#items);
    this.#items = [];
    this.#render();
  }

  /** Lets go of photos that were sent. */
  static release(taken) {
    for (const item of taken) {
      URL.revokeObjectURL(item.preview);
    }
  }

  #start(file) {
    const controller = new AbortController();
    const item = { file, preview: URL.createObjectURL(file), progress: 0, stored: null, controller, element: null };
    item.done = upload(file, {
      signal: controller.signal,
      onProgress: (fraction) => {
        item.progress = fraction;
        item.element?.querySelector('progress')?.setAttribute('value', String(Math.round(fraction * 100)));
      },
    }).then((stored) => {
      item.stored = stored;
      this.#render();
    }, (error) => {
      if (error?.name !== 'AbortError') {
        this.#onError(`“${file.name}” was not attached. ${error.message}`);
      }
      this.#remove(item);
    });
    this.#items.push(item);
  }

  #remove(item) {
    item.controller.abort();
    URL.revokeObjectURL(item.preview);
    this.#items = this.#items.filter((other) => other !== item);
    this.#render();
  }

  #render() {
    const focused = this.#list.contains(document.activeElement) ? document.activeElement.dataset.index : null;
    this.#list.replaceChildren(...this.#items.map((item, index) => {
      item.element = this.#element(item, index);
      return item.element;
    }));
    this.#list.hidden = this.#items.length === 0;
    if (focused !== null && focused !== undefined) {
      // The focus stays on a remove button (the next one), or goes back to the composer's attach button.
      const next = this.#list.querySelector(`[data-index="${Math.min(Number(focused), this.#items.length - 1)}"]`);
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
