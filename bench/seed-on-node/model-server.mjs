// An OpenAI-compatible chat completions server on loopback that streams like a real model: a prose reply of
// REPLY_CHARS characters in chunks of CHUNK_CHARS characters, one every PACE_MS milliseconds, then a usage chunk
// and [DONE]. Both sides of the streaming benchmark call it. Usage: node model-server.mjs PORT CHUNK_CHARS PACE_MS REPLY_CHARS
import http from 'node:http';

const [port, chunkChars, paceMs, replyChars] = process.argv.slice(2).map(Number);

const sentences = [
  'Start every inspection from the ground: walk the perimeter and look for sagging ridge lines or missing shingles.',
  'On a low-slope roof, check the membrane seams for lifting edges, blisters and ponding water after 48 hours.',
  'Flashing around chimneys, skylights and vents fails first; look for cracked sealant and rust streaks.',
  'Gutters packed with granules mean the shingles are near the end of their life, often 15 to 20 years.',
  'Inside the attic, stains on the decking and daylight through nail holes show where water gets in.',
  'Record each finding with a photo, its location and a severity from 1 to 5 so the estimate can follow.',
  'Never step on a wet or frosted surface; tie off to a rated anchor whenever the pitch is above 4 in 12.',
  'A soft spot underfoot usually means rotten decking, which has to be replaced before any new layer goes on.',
];

// The reply: sentences in an order that depends on the request, cut to exactly replyChars characters.
function reply(seed) {
  let text = '';
  for (let i = seed; text.length < replyChars; i++) {
    text += (text.length > 0 ? (i % 3 === 0 ? '\n\n' : ' ') : '') + sentences[i % sentences.length];
  }
  return text.slice(0, replyChars);
}

let requests = 0;
const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
    res.writeHead(404).end();
    return;
  }

  req.resume();
  req.on('end', () => {
    const id = `chatcmpl-${++requests}`;
    const created = Math.floor(Date.now() / 1000);
    const text = reply(requests);
    const chunk = (delta, finish) => `data: ${JSON.stringify({
      id, object: 'chat.completion.chunk', created, model: 'bench-model',
      choices: [{ index: 0, delta, finish_reason: finish }],
    })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(chunk({ role: 'assistant', content: '' }, null));
    let offset = 0;
    const timer = setInterval(() => {
      if (offset < text.length) {
        res.write(chunk({ content: text.slice(offset, offset + chunkChars) }, null));
        offset += chunkChars;
        return;
      }

      clearInterval(timer);
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', created, model: 'bench-model', choices: [],
        usage: { prompt_tokens: 100, completion_tokens: Math.ceil(text.length / 4), total_tokens: 100 + Math.ceil(text.length / 4) },
      })}\n\n`);
      res.end('data: [DONE]\n\n');
    }, paceMs);
    res.on('close', () => clearInterval(timer));
  });
});
server.keepAliveTimeout = 120_000; // longer than the clients keep idle connections (.NET: 1 min)
server.listen(port, '127.0.0.1', () => console.log(`model server on ${port}`));
