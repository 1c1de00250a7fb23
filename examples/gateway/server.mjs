// OpenAI-compatible /v1/chat/completions and /v1/responses endpoints (JSON and SSE) in front of a
// fake gpt-oss, with gpt-oss-harmony doing every Harmony step. Run: `npm run build && node examples/gateway/server.mjs`,
// then e.g. `curl -s localhost:8080/v1/chat/completions -d '{"model":"two-calls","messages":[{"role":"user","content":"hi"}]}'`
// or `curl -sN localhost:8080/v1/responses -d '{"model":"two-calls","stream":true,"input":"hi"}'`.
// The request's `model` picks the recorded scenario (see fake-model.mjs); the official `openai`
// client works against it (`baseURL: 'http://127.0.0.1:8080/v1'`).
//
// Safe to copy: request bodies are limited (413), decoded as UTF-8 only once whole, rendered off
// the event loop (`renderConversationForCompletionAsync`), `model` is looked up among the
// recordings' own keys, and every bad request is a 4xx with OpenAI's error shape.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

import { HarmonyError, loadHarmonyEncoding } from '../../dist/esm/index.js';
import {
  ChatCompletionChunkMapper,
  ResponseEventMapper,
  chatCompletionsToHarmony,
  foldChunks,
  foldResponseEvents,
  responsesToHarmony,
} from '../../dist/esm/gateway/index.js';
import { recordings, sample } from './fake-model.mjs';

const enc = loadHarmonyEncoding();

/** The largest request body accepted (bytes). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A client mistake: answered with `status` and OpenAI's error body. */
class RequestError extends Error {
  constructor(status, message, { type = 'invalid_request_error', param = null, code = null } = {}) {
    super(message);
    this.status = status;
    this.body = { error: { message, type, param, code } };
  }
}

function send(res, status, value, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/**
 * The request body as JSON. Bytes are collected and decoded once (a UTF-8 character may be
 * split across TCP chunks); a body over the limit stops the reading.
 */
async function readJson(req, limit) {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new RequestError(413, `request body over ${limit} bytes`, { code: 'request_too_large' });
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new RequestError(413, `request body over ${limit} bytes`, { code: 'request_too_large' });
    chunks.push(chunk);
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new RequestError(400, 'request body is not valid UTF-8');
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestError(400, 'request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'request body must be a JSON object');
  return body;
}

/** The recorded scenario the request's `model` names (own keys only: `constructor` is no model). */
function scenarioOf(request) {
  const { model } = request;
  if (typeof model !== 'string') throw new RequestError(400, 'you must provide a model parameter', { param: 'model' });
  if (!Object.hasOwn(recordings, model)) {
    throw new RequestError(404, `the model ${JSON.stringify(model)} does not exist`, { param: 'model', code: 'model_not_found' });
  }
  return model;
}

/** The request mapped to a Harmony prompt and rendered (off the event loop). */
async function readPrompt(req, toHarmony, limit) {
  const request = await readJson(req, limit);
  const scenario = scenarioOf(request);
  const prompt = toHarmony(request);
  // A real gateway would sample from these tokens; the fake model replays a recording instead.
  const promptTokens = await enc.renderConversationForCompletionAsync(prompt.conversation, 'assistant');
  return { request, prompt, scenario, promptTokens };
}

/** Logs what the recovering parser fixed (a chunk or an event carries `recovered`). */
const log = (piece) => piece.recovered?.forEach((r) => console.warn(`[gateway] recovered ${r.kind} at token ${r.tokenIndex}: ${r.detail}`));

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };

async function chatCompletions(req, res, limit) {
  const { request, prompt, scenario, promptTokens } = await readPrompt(req, chatCompletionsToHarmony, limit);
  const includeUsage = request.stream_options?.include_usage === true;
  const mapper = new ChatCompletionChunkMapper({ toolNames: prompt.toolNames, model: scenario, promptTokens, includeUsage });

  if (request.stream) {
    res.writeHead(200, SSE_HEADERS);
    const write = (chunks) => chunks.forEach((c) => (log(c), res.write(`data: ${JSON.stringify(c)}\n\n`)));
    for await (const batch of sample(scenario)) {
      if (res.destroyed) return; // the client went away: stop sampling
      write(mapper.push(batch));
    }
    write(mapper.end());
    res.end('data: [DONE]\n\n');
    return;
  }
  const chunks = [];
  for await (const batch of sample(scenario)) chunks.push(...mapper.push(batch));
  chunks.push(...mapper.end());
  chunks.forEach(log);
  send(res, 200, { ...foldChunks(chunks), usage: mapper.usage });
}

async function responses(req, res, limit) {
  const { request, prompt, scenario, promptTokens } = await readPrompt(req, responsesToHarmony, limit);
  const mapper = new ResponseEventMapper({ toolNames: prompt.toolNames, model: scenario, promptTokens });

  if (request.stream) {
    // Responses SSE: each event named by its type; the stream ends after response.completed/incomplete.
    res.writeHead(200, SSE_HEADERS);
    const write = (events) => events.forEach((e) => (log(e), res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)));
    for await (const batch of sample(scenario)) {
      if (res.destroyed) return;
      write(mapper.push(batch));
    }
    write(mapper.end());
    res.end();
    return;
  }
  const events = [];
  for await (const batch of sample(scenario)) events.push(...mapper.push(batch));
  events.push(...mapper.end());
  events.forEach(log);
  send(res, 200, foldResponseEvents(events));
}

const routes = { '/v1/chat/completions': chatCompletions, '/v1/responses': responses };

/** Answers an error: a client mistake with its 4xx, anything else as a 500 (logged). */
function fail(req, res, error) {
  const known =
    error instanceof RequestError
      ? error
      : error instanceof HarmonyError && error.code !== 'ERR_HARMONY_INTERNAL'
        ? new RequestError(400, error.message, { param: error.field ?? null, code: error.code })
        : null;
  if (known === null) console.error(error);
  if (res.headersSent) {
    res.end();
    return;
  }
  const { status, body } = known ?? new RequestError(500, 'internal error', { type: 'server_error' });
  // After a refused upload the rest of the body is not read: close the connection.
  send(res, status, body, status === 413 ? { connection: 'close' } : {});
  if (status === 413) res.on('finish', () => req.destroy());
}

/** The gateway's HTTP server (not listening yet). */
export function createGateway({ maxBodyBytes = MAX_BODY_BYTES } = {}) {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) return fail(req, res, new RequestError(404, `no route ${req.method} ${path}`));
    if (req.method !== 'POST') return fail(req, res, new RequestError(405, `${path} takes POST, not ${req.method}`));
    route(req, res, maxBodyBytes).catch((error) => fail(req, res, error));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 8080);
  createGateway().listen(port, '127.0.0.1', () => console.log(`gateway on http://127.0.0.1:${port} (/v1/chat/completions, /v1/responses)`));
}
