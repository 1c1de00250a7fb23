// The browser demo: every Harmony call below runs in the WebAssembly build of the package, loaded
// through its browser entry (see the import map in index.html). No framework, no bundler.
/* global document */
import {
  Conversation,
  DeveloperContent,
  Message,
  Role,
  StreamableParser,
  SystemContent,
  loadHarmonyEncoding,
} from 'gpt-oss-harmony';

const $ = (id) => document.getElementById(id);
const enc = loadHarmonyEncoding();
$('status').textContent = `Ready: ${enc.name} (${enc.tokenizerName}), running in WebAssembly.`;
$('status').dataset.ready = 'true';

/** The conversation the form describes. Throws a HarmonyError (or a JSON SyntaxError) on bad input. */
function conversation() {
  const system = SystemContent.new()
    .withModelIdentity($('identity').value)
    .withReasoningEffort($('effort').value)
    .withConversationStartDate($('date').value);
  let developer = DeveloperContent.new().withInstructions($('instructions').value);
  const tools = $('tools').value.trim();
  if (tools !== '') developer = developer.withFunctionTools(JSON.parse(tools));
  return Conversation.fromMessages([
    Message.fromRoleAndContent(Role.System, system),
    Message.fromRoleAndContent(Role.Developer, developer),
    Message.fromRoleAndContent(Role.User, $('user').value),
  ]);
}

/** One box per token: its text (special tokens dark, others in rotating colours) and its id. */
function tokenBox(token, index) {
  const box = document.createElement('span');
  const special = enc.isSpecialToken(token);
  box.className = `tok ${special ? 'special' : `c${index % 6}`}`;
  const text = document.createElement('span');
  text.textContent = enc.decode([token]).replaceAll('\n', '↵');
  const id = document.createElement('span');
  id.className = 'id';
  id.textContent = String(token);
  box.append(text, id);
  box.title = `token ${index}: id ${token}`;
  return box;
}

function showError(element, error) {
  element.hidden = error === null;
  element.textContent = error === null ? '' : `${error.code ?? error.name}: ${error.message}`;
}

function render() {
  try {
    const tokens = enc.renderConversationForCompletion(conversation(), Role.Assistant);
    $('tokens').replaceChildren(...Array.from(tokens, tokenBox));
    $('token-count').textContent = `${tokens.length} tokens`;
    showError($('render-error'), null);
  } catch (error) {
    showError($('render-error'), error);
  }
}

function showMessages(messages) {
  $('messages').replaceChildren(
    ...messages.map((m) => {
      const item = document.createElement('li');
      const meta = document.createElement('div');
      meta.className = 'meta';
      const j = m.toJSON();
      meta.textContent = [j.role, j.channel && `channel=${j.channel}`, j.recipient && `to=${j.recipient}`, j.content_type]
        .filter(Boolean)
        .join(' · ');
      const body = document.createElement('div');
      body.textContent = m.text;
      item.append(meta, body);
      return item;
    }),
  );
}

function addEvents(events) {
  for (const ev of events) {
    const item = document.createElement('li');
    item.className = `t-${ev.type}`;
    const { message, ...rest } = ev;
    item.textContent = JSON.stringify(message ? { ...rest, message: message.text } : rest);
    $('events').append(item);
  }
  $('event-count').textContent = `(${$('events').children.length})`;
}

function completionTokens() {
  const tokens = enc.encode($('completion-text').value, { allowedSpecial: 'all' });
  $('completion-tokens').replaceChildren(...Array.from(tokens, tokenBox));
  return tokens;
}

function startRun() {
  $('events').replaceChildren();
  $('messages').replaceChildren();
  $('event-count').textContent = '';
  showError($('parse-error'), null);
}

$('parse').addEventListener('click', () => {
  startRun();
  try {
    const tokens = completionTokens();
    const parser = new StreamableParser(enc, Role.Assistant);
    addEvents(parser.processMany(tokens));
    addEvents(parser.processEos());
    showMessages(enc.parseMessagesFromCompletionTokens(tokens, Role.Assistant));
  } catch (error) {
    showError($('parse-error'), error);
  }
});

let streaming = 0;
$('stream').addEventListener('click', async () => {
  const run = ++streaming;
  startRun();
  try {
    const tokens = completionTokens();
    const parser = new StreamableParser(enc, Role.Assistant);
    const boxes = $('completion-tokens').children;
    for (let i = 0; i < tokens.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, Number($('delay').value) || 0));
      if (run !== streaming) return; // a newer run started
      boxes[i].classList.add('seen');
      addEvents(parser.processMany(tokens.subarray(i, i + 1)));
      showMessages(parser.messages);
    }
    addEvents(parser.processEos());
    showMessages(parser.messages);
    $('status').textContent = `Streamed ${tokens.length} tokens.`;
  } catch (error) {
    showError($('parse-error'), error);
  }
});

for (const id of ['identity', 'effort', 'date', 'instructions', 'tools', 'user']) $(id).addEventListener('input', render);
render();
