import { Type } from 'typebox';
import type { App } from '../botpress/plugin-types.js';

// A self-contained page: plain HTML, CSS and a little JS, no build step. It holds no data; its script
// fetches the timeline with the admin key the operator types in (or passes as #key=… in the URL,
// which browsers never send to the server).
const page = (conversationId: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Timeline · conversation ${conversationId}</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1d2330; }
  h1 { font-size: 1.2rem; }
  #axis { position: relative; height: 56px; margin: 1.5rem 0; border-bottom: 2px solid #8a94a6; }
  .dot { position: absolute; bottom: -8px; width: 14px; height: 14px; margin-left: -7px; border-radius: 50%;
         background: #3867d6; border: 2px solid white; cursor: pointer; padding: 0; }
  .dot.selected, li.selected { outline: 3px solid #f7b731; }
  ol { padding-left: 1.2rem; } li { cursor: pointer; margin: .2rem 0; }
  .type { font-weight: 600; } .meta { color: #6b7385; font-size: 12px; }
  .panes { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
  pre { background: #f3f5f9; padding: .8rem; overflow: auto; max-height: 60vh; }
  #error { color: #b33939; }
</style>
</head>
<body>
<h1>Conversation <code id="conversation">${conversationId}</code></h1>
<form id="auth" hidden><label>Admin key <input id="key" type="password" autocomplete="off"></label> <button>Load</button></form>
<p id="error" role="alert"></p>
<div id="axis" aria-label="timeline"></div>
<div class="panes">
  <section><h2>Events</h2><ol id="events"></ol></section>
  <section><h2>State after <span id="selected">—</span></h2><pre id="state">Click an event.</pre>
  <h2>Event</h2><pre id="event"></pre></section>
</div>
<script>
const conversationId = ${JSON.stringify(conversationId)};
const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
if (fromHash) sessionStorage.setItem('switchboard-admin-key', fromHash);
const form = document.getElementById('auth');
form.addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('switchboard-admin-key', document.getElementById('key').value);
  load();
});

function select(steps, index) {
  const step = steps[index];
  document.querySelectorAll('.selected').forEach((el) => el.classList.remove('selected'));
  document.querySelectorAll('[data-index="' + index + '"]').forEach((el) => el.classList.add('selected'));
  document.getElementById('selected').textContent = '#' + step.event.revision + ' ' + step.event.type;
  document.getElementById('state').textContent = JSON.stringify(step.state, null, 2);
  document.getElementById('event').textContent = JSON.stringify(step.event, null, 2);
}

async function load() {
  const key = sessionStorage.getItem('switchboard-admin-key');
  if (!key) { form.hidden = false; return; }
  const res = await fetch('/admin/conversations/' + conversationId + '/timeline', {
    headers: { authorization: 'Bearer ' + key },
  });
  const body = await res.json();
  if (!res.ok) {
    document.getElementById('error').textContent = body.error || res.statusText;
    form.hidden = res.status !== 401;
    return;
  }
  form.hidden = true;
  document.getElementById('error').textContent = '';
  const steps = body.steps;
  const times = steps.map((s) => Date.parse(s.event.created));
  const first = Math.min(...times), span = Math.max(1, Math.max(...times) - first);
  const axis = document.getElementById('axis'), list = document.getElementById('events');
  axis.replaceChildren(); list.replaceChildren();
  steps.forEach((step, i) => {
    const dot = document.createElement('button');
    dot.className = 'dot'; dot.dataset.index = i; dot.title = step.event.type;
    dot.style.left = (2 + 96 * (times[i] - first) / span) + '%';
    dot.addEventListener('click', () => select(steps, i));
    axis.append(dot);
    const item = document.createElement('li');
    item.dataset.index = i;
    item.innerHTML = '<span class="type"></span> <span class="meta"></span>';
    item.querySelector('.type').textContent = step.event.type;
    item.querySelector('.meta').textContent = '#' + step.event.revision + ' · ' + step.event.created +
      (step.event.metadata.actor ? ' · ' + step.event.metadata.actor : '');
    item.addEventListener('click', () => select(steps, i));
    list.append(item);
  });
}
load();
</script>
</body>
</html>`;

export function timelinePage(app: App): void {
  app.get(
    '/timeline/:conversationId',
    {
      schema: {
        tags: ['admin'],
        summary: "A page drawing a conversation's events on a timeline, with the state after each",
        params: Type.Object({ conversationId: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header(
          'content-security-policy',
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
        )
        .send(page(request.params.conversationId)),
  );
}
