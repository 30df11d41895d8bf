// The seed's POST /api/copilot (shared/seed/sprint-04, app/api/copilot/route.ts) as written, run on node:http with
// two worker processes: the same five statements in the same order, each its own round trip, the same openai client
// call and the same plain-text stream ending with [SESSION_ID:<uuid>]. What Supabase did for it is done here more
// cheaply, in the route's favour: the JWT is checked locally (HS256) instead of by supabase.auth.getUser(), and the
// statements go to PostgreSQL over a pg pool instead of through PostgREST.
// Usage: node seed-route.mjs PORT DATABASE_URL SCHEMA JWT_SECRET MODEL_BASE_URL
import cluster from 'node:cluster';
import crypto from 'node:crypto';
import http from 'node:http';
import { OpenAI } from 'openai';
import pg from 'pg';

const [port, databaseUrl, schema, jwtSecret, modelBaseUrl] = process.argv.slice(2);
const WORKERS = 2;

if (cluster.isPrimary) {
  for (let i = 0; i < WORKERS; i++) {
    cluster.fork();
  }
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === WORKERS) {
      console.log(`seed route on ${port}`);
    }
  });
  cluster.on('exit', () => process.exit(1));
} else {
  serve();
}

function serve() {
  const openai = new OpenAI({ apiKey: 'bench', baseURL: modelBaseUrl, maxRetries: 0 });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 100, options: `-c search_path=${schema}` });
  const key = Buffer.from(jwtSecret, 'utf8');

  const SYSTEM_PROMPTS = {
    field: 'You are a field technician assistant for MyRoofGenius. Help with on-site roofing inspections, safety protocols, and technical guidance.',
    pm: 'You are a project management assistant for MyRoofGenius. Help with project planning, resource allocation, timeline management, and team coordination.',
    exec: 'You are an executive assistant for MyRoofGenius. Provide strategic insights, market analysis, and high-level business guidance for roofing industry leaders.',
  };

  // supabase.auth.getUser(), done locally: the HS256 signature and the expiry; returns the user id or null.
  function userOf(req) {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const [header, payload, signature] = token.split('.');
    if (!signature) {
      return null;
    }
    const expected = crypto.createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    if (expected.length !== signature.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      return null;
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    return claims.exp * 1000 > Date.now() ? claims.sub : null;
  }

  function json(res, status, body) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  async function post(req, res) {
    const userId = userOf(req);
    if (!userId) {
      return json(res, 401, { error: 'Unauthorized' });
    }
    let raw = '';
    for await (const part of req) {
      raw += part;
    }
    const { message, sessionId, role = 'field' } = JSON.parse(raw);
    if (!message) {
      return json(res, 400, { error: 'Message is required' });
    }

    // Get or create session
    let session;
    const createSession = async () => (await pool.query(
      'INSERT INTO copilot_sessions (user_id, metadata) VALUES ($1, $2) RETURNING *', [userId, { role }])).rows[0];
    if (sessionId) {
      const existing = (await pool.query(
        'SELECT * FROM copilot_sessions WHERE id = $1 AND user_id = $2', [sessionId, userId])).rows[0];
      if (!existing) {
        session = await createSession();
      } else {
        session = existing;
        await pool.query('UPDATE copilot_sessions SET updated_at = $1 WHERE id = $2', [new Date().toISOString(), session.id]);
      }
    } else {
      session = await createSession();
    }

    // Store user message
    await pool.query('INSERT INTO copilot_messages (session_id, role, content) VALUES ($1, $2, $3)', [session.id, 'user', message]);

    // Fetch conversation history (last 10 messages)
    const messages = (await pool.query(
      'SELECT role, content FROM copilot_messages WHERE session_id = $1 ORDER BY created_at ASC LIMIT 10', [session.id])).rows;
    const conversation = [
      { role: 'system', content: SYSTEM_PROMPTS[role] || SYSTEM_PROMPTS.field },
      ...messages.slice(-9),
      { role: 'user', content: message },
    ];

    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const completion = await openai.chat.completions.create({
      model: 'gpt-4', messages: conversation, temperature: 0.7, max_tokens: 500, stream: true,
    });
    let assistantMessage = '';
    for await (const chunk of completion) {
      const content = chunk.choices[0]?.delta?.content || '';
      if (content) {
        assistantMessage += content;
        res.write(content);
      }
    }

    // Store assistant message
    await pool.query('INSERT INTO copilot_messages (session_id, role, content) VALUES ($1, $2, $3)', [session.id, 'assistant', assistantMessage]);
    res.end(`\n\n[SESSION_ID:${session.id}]`);
  }

  // Longer than Node's 5 s default: the bench's client keeps idle connections longer, and one closed under it as it
  // sends would count as an error of the route.
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/copilot') {
      return json(res, 404, { error: 'Not found' });
    }
    post(req, res).catch(error => {
      console.error('Copilot error:', error);
      if (!res.headersSent) {
        json(res, 500, { error: 'Failed to process request' });
      } else {
        res.destroy(error);
      }
    });
  });
  server.keepAliveTimeout = 120_000;
  server.listen(Number(port), '127.0.0.1');
}
