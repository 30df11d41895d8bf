// An OpenAI-compatible chat model on 127.0.0.1 for the tests that check what the model saw: it answers call N with
// "reply N" (streamed, as OpenAI streams), records what every call received, and can be told to fail calls or hold a
// reply until released.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before } from 'node:test';

/** What the model received in one call, without the system prompt: ["user: ...", "assistant: ...", ...]. */
function conversationOf(body) {
  const text = (content) => (typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join(''));
  return (body.messages ?? []).filter((m) => m.role !== 'system').map((m) => `${m.role}: ${text(m.content)}`);
}

/** Starts the fake model on `port` (the one the service was configured with) and answers its controls. */
export async function startFakeModel(port) {
  const calls = [];
  const bodies = [];
  let failures = 0;
  let held = null;

  const server = createServer(async (request, response) => {
    let raw = '';
    for await (const chunk of request) {
      raw += chunk;
    }
    if (request.method !== 'POST' || !request.url.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `Unknown path ${request.url}` } }));
      return;
    }
    const body = JSON.parse(raw);
    calls.push(conversationOf(body));
    bodies.push(body);
    const number = calls.length;
    if (failures > 0) {
      failures--;
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'server_error', message: 'The fake model failed on purpose.' } }));
      return;
    }

    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (choices, extra = {}) => {
      const event = { id: `chatcmpl-${number}`, object: 'chat.completion.chunk', created: 0, model: body.model, choices, ...extra };
      response.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    chunk([{ index: 0, delta: { role: 'assistant', content: 'reply ' }, finish_reason: null }]);
    if (held) {
      const { release } = held;
      held.started();
      await release;
    }
    chunk([{ index: 0, delta: { content: String(number) }, finish_reason: null }]);
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    if (body.stream_options?.include_usage) {
      chunk([], { usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } });
    }
    response.end('data: [DONE]\n\n');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    /** Every call so far, oldest first: the conversation the model saw. */
    calls,
    /** Every call's request body as the model received it (its `messages` with their content parts), oldest first. */
    bodies,
    /** The next `count` calls answer HTTP 500. */
    failNext(count = 1) {
      failures = count;
    },
    /**
     * The next reply stops after its first chunk until `release()`; `started` resolves once that chunk was sent.
     */
    holdNext() {
      let release;
      const hold = {
        release: new Promise((resolve) => {
          release = resolve;
        }),
        started: null,
      };
      const whenStarted = new Promise((resolve) => {
        hold.started = resolve;
      });
      held = hold;
      return {
        started: whenStarted,
        release: () => {
          held = null;
          release();
        },
      };
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Starts the fake model on COPILOT_FAKE_MODEL_PORT (where scripts/test-ai-sdk.sh pointed the service) before the
 * calling file's tests and closes it after them; returns a function that gives the running model.
 */
export function useFakeModel() {
  let model;
  before(async () => {
    const port = Number(process.env.COPILOT_FAKE_MODEL_PORT);
    assert.ok(port > 0, 'COPILOT_FAKE_MODEL_PORT is not set: run these tests through scripts/test-ai-sdk.sh');
    model = await startFakeModel(port);
  });
  after(() => model?.close());
  return () => model;
}
