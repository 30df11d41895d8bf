// Photos with the AI SDK's own chat client: `sendMessage({ text, files })` with a data URL, and with the url of a file
// uploaded through POST /v1/files. The service talks to a fake model (fake-model.mjs), so what the model received is
// checked: the image, as an image part of the user message it was sent with. Run by scripts/test-ai-sdk.sh with the
// service pointed at COPILOT_FAKE_MODEL_PORT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { useFakeModel } from './fake-model.mjs';
import { TestChat, baseUrl, newUser } from './service.mjs';

const model = useFakeModel();

/** A PNG of `width` × `height` pixels of one colour, encoded here so that the tests need no image package. */
function png(width, height, [red, green, blue]) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const frame = Buffer.alloc(4);
    frame.writeUInt32BE(data.length);
    const check = Buffer.alloc(4);
    check.writeUInt32BE(crc32(body));
    return Buffer.concat([frame, body, check]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const row = Buffer.from([0, ...Array.from({ length: width }, () => [red, green, blue]).flat()]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The width and height a PNG's header declares. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('ascii'), 'PNG', 'the bytes are a PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

/** The image bytes the model received with the last user message of its last call, after checking that message's
 * text: the image must be an image part of that very message. */
function imageTheModelSaw(text) {
  const user = model().bodies.at(-1).messages.filter((m) => m.role === 'user').at(-1);
  assert.ok(Array.isArray(user.content), 'the user message has content parts');
  assert.deepEqual(user.content.filter((p) => p.type === 'text').map((p) => p.text), [text]);
  const images = user.content.filter((p) => p.type === 'image_url');
  assert.equal(images.length, 1, 'one image part');
  const url = images[0].image_url.url;
  assert.match(url, /^data:image\/png;base64,/);
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

/** The file part of the stored user message with `text`, after checking it is the message's one image. */
async function storedFilePart(user, chatId, text) {
  const question = (await user.history(chatId)).find((m) => m.role === 'user');
  assert.deepEqual(question.parts.filter((p) => p.type === 'text').map((p) => p.text), [text]);
  const files = question.parts.filter((p) => p.type === 'file');
  assert.equal(files.length, 1, 'the stored message has one file part');
  assert.equal(files[0].mediaType, 'image/png');
  assert.match(files[0].url, /^\/v1\/files\/[0-9a-f-]{36}\?exp=\d+&sig=[\w-]+$/);
  return files[0];
}

/** The bytes behind a signed link, fetched as an `<img src>` would: without a token. */
async function fetchImage(url) {
  const response = await fetch(`${baseUrl}${url}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'image/png');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  return Buffer.from(await response.arrayBuffer());
}

test('sendMessage({ text, files }) with a data URL: the model gets the image with its message, the history links it', async () => {
  const user = newUser();
  const chat = new TestChat({ user });
  const photo = png(320, 240, [180, 90, 40]);
  const text = 'what is in this photo?';

  await chat.sendMessage({
    text,
    files: [{ type: 'file', mediaType: 'image/png', filename: 'roof.png', url: `data:image/png;base64,${photo.toString('base64')}` }],
  });

  assert.equal(chat.status, 'ready', String(chat.error));
  assert.equal(chat.lastText, `reply ${model().calls.length}`);
  const seen = imageTheModelSaw(text);
  assert.deepEqual(pngSize(seen), [320, 240]);
  const part = await storedFilePart(user, chat.id, text);
  assert.equal(part.filename, 'roof.png');
  assert.deepEqual(await fetchImage(part.url), seen, 'the link serves the stored image, the one the model got');
});

test('sendMessage({ text, files }) with the url of an upload: the message names the uploaded file', async () => {
  const user = newUser();
  const photo = png(640, 480, [60, 120, 200]);
  const response = await fetch(`${baseUrl}/v1/files`, {
    method: 'POST',
    headers: { ...user.headers, 'content-type': 'image/png' },
    body: photo,
  });
  assert.equal(response.status, 201);
  const upload = await response.json();
  assert.deepEqual([upload.media_type, upload.width, upload.height], ['image/png', 640, 480]);
  const chat = new TestChat({ user });
  const text = 'and this one?';

  await chat.sendMessage({ text, files: [{ type: 'file', mediaType: upload.media_type, url: upload.url }] });

  assert.equal(chat.status, 'ready', String(chat.error));
  const seen = imageTheModelSaw(text);
  const part = await storedFilePart(user, chat.id, text);
  assert.ok(part.url.startsWith(`/v1/files/${upload.id}?`), 'the stored message names the uploaded file');
  const stored = await fetchImage(upload.url);
  assert.deepEqual(pngSize(stored), [640, 480]);
  assert.deepEqual(seen, stored, 'the model got the uploaded image');
  assert.deepEqual(await fetchImage(part.url), stored);
});
