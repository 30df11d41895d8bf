// The /v1 API as the console uses it: bearer auth, problem+json answers turned into sentences people can act on.

const TOKEN_KEY = 'copilot.token';

/** The token of this tab: sessionStorage only, so it is gone when the tab closes. */
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
  /** The user the token names (its `sub`), or null when it names none. Read, not verified: the service verifies it;
   * the page only keeps what it stores in this browser apart per user. */
  user() {
    try {
      const payload = this.get().split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const sub = JSON.parse(atob(payload)).sub;
      return typeof sub === 'string' && sub ? sub.toLowerCase() : null;
    } catch {
      return null;
    }
  },
};

/** An answer the console cannot use: an HTTP error (status, problem) or a lost connection (status 0). */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(describe(status, problem, retryAfter));
    this.status = status;
    this.code = problem?.code;
  }
}

/** Thrown when the token is missing, expired or not accepted: the page goes back to sign-in. */
export class SignedOut extends Error {}

/** fetch with the bearer token; a network failure becomes ApiError(0), a 401 SignedOut, other errors ApiError. */
export async function request(path, { method = 'GET', body, headers = {}, signal, allow = [] } = {}) {
  const bearer = token.get();
  if (!bearer) {
    throw new SignedOut();
  }

  const init = { method, signal, headers: { Authorization: `Bearer ${bearer}`, ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }
    throw new ApiError(0);
  }

  if (response.status === 401) {
    throw new SignedOut();
  }
  if (!response.ok && !allow.includes(response.status)) {
    throw new ApiError(response.status, await problemOf(response), response.headers.get('Retry-After'));
  }
  return response;
}

/**
 * Uploads one photo to POST /v1/files, calling `onProgress(fraction)` as its bytes go out (fetch cannot report that),
 * and answers the stored file: { id, url, media_type, size, width, height }. Fails like `request`.
 */
export function upload(file, { onProgress, signal } = {}) {
  const bearer = token.get();
  if (!bearer) {
    return Promise.reject(new SignedOut());
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/files');
    xhr.setRequestHeader('Authorization', `Bearer ${bearer}`);
    // The service reads the type from the bytes when the browser does not know it (a HEIC photo, on some systems).
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        onProgress?.(event.loaded / event.total);
      }
    });
    xhr.addEventListener('load', () => {
      if (xhr.status === 401) {
        reject(new SignedOut());
      } else if (xhr.status === 201) {
        resolve(xhr.response);
      } else {
        reject(new ApiError(xhr.status, xhr.response, xhr.getResponseHeader('Retry-After')));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0)));
    xhr.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** A JSON answer. */
export async function json(path, options) {
  const response = await request(path, options);
  return response.status === 204 ? null : response.json();
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Sentences for the refusals of photos, by their code. */
const PHOTO_PROBLEMS = {
  file_too_large: 'That photo is larger than the service takes. Send a smaller photo (or a screenshot of it).',
  image_too_large: 'That photo has more pixels than the service takes. Send a smaller photo.',
  too_many_files: 'That is more photos than one message can carry. Remove some and send again.',
  unsupported_media_type: 'The service does not take that kind of file. Attach a JPEG, PNG, WebP, GIF or HEIC photo.',
  invalid_image: 'The service could not read that photo: it is damaged or not the kind of image its name says.',
  storage_quota_exceeded: 'Your stored photos have used up your space. Delete conversations with photos to make room.',
  file_not_found: 'A photo of this message is no longer stored. Remove it and attach it again.',
};

function describe(status, problem, retryAfter) {
  const code = problem?.code;
  if (PHOTO_PROBLEMS[code]) {
    return PHOTO_PROBLEMS[code];
  }
  switch (status) {
    case 0:
      return 'Lost the connection to the service. Check your network; what was already written is kept.';
    case 400:
      return `The service did not accept that: ${problem?.detail ?? problem?.title ?? 'bad request'}`;
    case 404:
      if (code === 'share_not_found') {
        return 'That share link no longer works (it was revoked or has expired).';
      }
      return code === 'message_not_found'
        ? 'That version is no longer in this conversation. The conversation is shown as it is now.'
        : 'That conversation no longer exists (it may have been deleted in another tab).';
    case 409:
      if (code === 'session_limit') {
        return 'You have as many conversations as the service keeps. Delete old conversations to start a new one.';
      }
      return code === 'persona_mismatch'
        ? 'This conversation was started with another persona. Start a new chat to switch persona.'
        : 'A reply is already being written in this conversation. Wait for it to finish or stop it, then send again.';
    case 413:
      return 'That message is too long for the service. Shorten it and send again.';
    case 429:
      if (code === 'quota_exceeded') {
        return "You have used today's share of the chat model. It renews at midnight UTC.";
      }
      return `Too many requests right now. Wait ${retryAfter ? `${retryAfter} s` : 'a moment'} and send again.`;
    case 502:
      return `The chat model did not answer (${code ?? 'model_error'}). Your message is saved; Regenerate on the failed reply tries again.`;
    case 503:
      return 'The service is temporarily unavailable (its storage cannot be reached). Try again in a moment.';
    default:
      return `The service answered HTTP ${status}${problem?.title ? `: ${problem.title}` : ''}.`;
  }
}
