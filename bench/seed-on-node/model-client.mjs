// The seed's model client alone: USERS streams at a time through the `openai` npm client (as the seed's route calls
// it, `stream: true`) from the model server on PORT, each read to its end, in a closed loop. After WARMUP_S seconds it
// counts, for WINDOW_S seconds, the streams that end and its own CPU time, writes them as JSON to OUT_FILE when the
// streams in flight have ended, and exits. Usage: node model-client.mjs PORT USERS WARMUP_S WINDOW_S OUT_FILE
import { writeFileSync } from 'node:fs';
import OpenAI from 'openai';

const [port, users, warmupSeconds, windowSeconds] = process.argv.slice(2, 6).map(Number);
const outFile = process.argv[6];
const client = new OpenAI({ apiKey: 'bench', baseURL: `http://127.0.0.1:${port}/v1` });
const start = Date.now();
const windowStart = start + warmupSeconds * 1000;
const windowEnd = windowStart + windowSeconds * 1000;
let ended = 0;
let characters = 0;

async function user(index) {
  await new Promise((resolve) => setTimeout(resolve, (index * warmupSeconds * 1000) / users));
  while (Date.now() < windowEnd) {
    const stream = await client.chat.completions.create({
      model: 'bench-model', max_tokens: 500, stream: true, messages: [{ role: 'user', content: 'What should I check first?' }],
    });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }

    const now = Date.now();
    if (now >= windowStart && now <= windowEnd) {
      ended++;
      characters += text.length;
    }
  }
}

console.log('started');
const all = Array.from({ length: users }, (_, index) => user(index));
await new Promise((resolve) => setTimeout(resolve, windowStart - Date.now()));
const before = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, windowEnd - Date.now()));
const used = process.cpuUsage(before);
await Promise.all(all);
writeFileSync(outFile, JSON.stringify({ streams: ended, characters, cpuMilliseconds: (used.user + used.system) / 1000 }));
