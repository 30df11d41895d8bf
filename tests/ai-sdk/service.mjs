// What the tests need to reach the service that scripts/with-service.sh started: its URL, tokens, and a chat object
// built the way a browser front end builds one (AbstractChat with DefaultChatTransport and an in-memory state).
import { createHmac, randomUUID } from 'node:crypto';
import { AbstractChat, DefaultChatTransport } from 'ai';

export const baseUrl = required('COPILOT_BASE_URL');

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through scripts/with-service.sh or scripts/test-ai-sdk.sh`);
  }
  return value;
}

/** An HS256 token for `userId`, as Supabase issues them. */
export function tokenFor(userId) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = encode({ alg: 'HS256', typ: 'JWT' });
  const payload = encode({
    sub: userId,
    aud: required('COPILOT_JWT_AUDIENCE'),
    iss: required('COPILOT_JWT_ISSUER'),
    role: 'authenticated',
    iat: now,
    exp: now + 3600,
  });
  const signature = createHmac('sha256', required('COPILOT_JWT_SECRET')).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A user: their id and the calls a front end makes besides the chat stream. */
export function newUser() {
  const id = randomUUID();
  const headers = { authorization: `Bearer ${tokenFor(id)}` };
  return {
    id,
    headers,
    async call(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
    },
    /** The session's messages, oldest first, in the UI message shape. */
    async history(chatId) {
      const { status, body } = await this.call('GET', `/v1/sessions/${chatId}/messages?limit=100`);
      if (status !== 200) {
        throw new Error(`GET messages answered ${status}`);
      }
      return body.data.reverse();
    },
  };
}

/** The state a framework binding (React, Vue, Svelte) keeps, in memory, telling listeners about every change. */
class MemoryState {
  status = 'ready';
  error = undefined;
  #messages;
  #listeners = new Set();

  constructor(messages = []) {
    this.#messages = messages;
  }

  get messages() {
    return this.#messages;
  }

  set messages(messages) {
    this.#messages = messages;
    this.changed();
  }

  pushMessage = (message) => {
    this.#messages = [...this.#messages, message];
    this.changed();
  };

  popMessage = () => {
    this.#messages = this.#messages.slice(0, -1);
    this.changed();
  };

  replaceMessage = (index, message) => {
    this.#messages = [...this.#messages.slice(0, index), message, ...this.#messages.slice(index + 1)];
    this.changed();
  };

  snapshot = (thing) => structuredClone(thing);

  changed() {
    for (const listener of this.#listeners) {
      listener();
    }
  }

  /** Resolves once `condition()` holds (checked now and on every change); rejects after `timeoutMs`. */
  until(condition, what, timeoutMs = 20_000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting until ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      check();
    });
  }
}

/** A chat as `useChat` makes one: `DefaultChatTransport` against `/v1/chat` with the user's bearer token. */
export class TestChat extends AbstractChat {
  constructor({ user, id = randomUUID(), messages = [], fetch, body, prepareSendMessagesRequest } = {}) {
    const state = new MemoryState(messages);
    super({
      id,
      state,
      transport: new DefaultChatTransport({ api: `${baseUrl}/v1/chat`, headers: user.headers, fetch, body, prepareSendMessagesRequest }),
    });
    this.memory = state;
  }

  get lastText() {
    const last = this.messages.at(-1);
    return last?.role === 'assistant' ? last.parts.filter((p) => p.type === 'text').map((p) => p.text).join('') : '';
  }

  /** Resolves once the assistant's reply has some text: the model is mid-reply. */
  untilFirstText() {
    return this.memory.until(() => this.lastText.length > 0, 'the first text arrived');
  }
}

/** The offline model's reply to `question` after `earlier` earlier user messages (see OfflineChatClient.Compose). */
export function offlineReply(question, earlier) {
  const quoted = question.length <= 80 ? question : `${question.slice(0, 77)}...`;
  return (
    "I'm the offline assistant: no chat model is configured, so I can't answer for real. " +
    `You asked: "${quoted}". I can see ${earlier} earlier message(s) from you in this conversation.`
  );
}
