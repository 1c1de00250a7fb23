// OpenAI-compatible /v1/chat/completions and /v1/responses endpoints (JSON and SSE) in front of a
// fake gpt-oss, with gpt-oss-harmony doing every Harmony step. Run: `npm run build && node examples/gateway/server.mjs`,
// then e.g. `curl -s localhost:8080/v1/chat/completions -d '{"model":"two-calls","messages":[{"role":"user","content":"hi"}]}'`
// or `curl -sN localhost:8080/v1/responses -d '{"model":"two-calls","stream":true,"input":"hi"}'`.
// The request's `model` picks the recorded scenario (see fake-model.mjs).
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

import {
  ChatCompletionChunkStream,
  HarmonyError,
  ResponseEventStream,
  chatCompletionsToHarmony,
  foldChunks,
  foldResponseEvents,
  loadHarmonyEncoding,
  responsesToHarmony,
} from '../../dist/esm/index.js';
import { recordings, sample } from './fake-model.mjs';

const enc = loadHarmonyEncoding();

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return JSON.parse(body);
}

function send(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** The request body mapped to a Harmony prompt, or `null` after answering 400. */
async function readPrompt(req, res, toHarmony) {
  let request;
  try {
    request = await readJson(req);
  } catch {
    send(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
    return null;
  }
  try {
    const prompt = toHarmony(request);
    // A real gateway would sample from these tokens; the fake model replays a recording instead.
    enc.renderConversationForCompletion(prompt.conversation, 'assistant');
    const scenario = typeof request.model === 'string' && request.model in recordings ? request.model : 'answer';
    return { request, prompt, scenario };
  } catch (error) {
    if (!(error instanceof HarmonyError)) throw error;
    send(res, 400, { error: { message: error.message, type: 'invalid_request_error', param: error.field ?? null } });
    return null;
  }
}

/** Logs what the recovering parser fixed (a chunk or an event carries `recovered`). */
const log = (piece) => piece.recovered?.forEach((r) => console.warn(`[gateway] recovered ${r.kind} at token ${r.tokenIndex}: ${r.detail}`));

async function chatCompletions(req, res) {
  const read = await readPrompt(req, res, chatCompletionsToHarmony);
  if (read === null) return;
  const { request, prompt, scenario } = read;
  const stream = new ChatCompletionChunkStream({ toolNames: prompt.toolNames, model: scenario });

  if (request.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const write = (chunks) => chunks.forEach((c) => (log(c), res.write(`data: ${JSON.stringify(c)}\n\n`)));
    for await (const batch of sample(scenario)) write(stream.push(batch));
    write(stream.end());
    res.end('data: [DONE]\n\n');
    return;
  }
  const chunks = [];
  for await (const batch of sample(scenario)) chunks.push(...stream.push(batch));
  chunks.push(...stream.end());
  chunks.forEach(log);
  send(res, 200, foldChunks(chunks));
}

async function responses(req, res) {
  const read = await readPrompt(req, res, responsesToHarmony);
  if (read === null) return;
  const { request, prompt, scenario } = read;
  const stream = new ResponseEventStream({ toolNames: prompt.toolNames, model: scenario });

  if (request.stream) {
    // Responses SSE: each event named by its type; the stream ends after response.completed/incomplete.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const write = (events) => events.forEach((e) => (log(e), res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)));
    for await (const batch of sample(scenario)) write(stream.push(batch));
    write(stream.end());
    res.end();
    return;
  }
  const events = [];
  for await (const batch of sample(scenario)) events.push(...stream.push(batch));
  events.push(...stream.end());
  events.forEach(log);
  send(res, 200, foldResponseEvents(events));
}

const routes = { '/v1/chat/completions': chatCompletions, '/v1/responses': responses };

/** The gateway's HTTP server (not listening yet). */
export function createGateway() {
  return createServer((req, res) => {
    const route = req.method === 'POST' && Object.hasOwn(routes, req.url) ? routes[req.url] : undefined;
    if (route !== undefined) {
      route(req, res).catch((error) => {
        console.error(error);
        if (!res.headersSent) send(res, 500, { error: { message: 'internal error', type: 'server_error' } });
        else res.end();
      });
      return;
    }
    send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 8080);
  createGateway().listen(port, '127.0.0.1', () => console.log(`gateway on http://127.0.0.1:${port} (/v1/chat/completions, /v1/responses)`));
}
