// The processor's hosted payment page: a card field that confirms the intent, so a person can
// click through a sandbox payment in a browser. The client secret comes in the URL's fragment
// (`#client_secret=…`), which browsers never send, so it never reaches a request log. No
// external assets; values go in as JSON with "<" escaped, so nothing in them can close the script.
import type { IntentJson } from './present.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function checkoutPage(intent: IntentJson): string {
  const config = JSON.stringify({ confirm: `/sandbox/v1/intents/${encodeURIComponent(intent.id)}/confirm` }).replace(
    /</g,
    '\\u003c',
  );
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sandbox checkout</title>
<body style="font-family:sans-serif;max-width:28em;margin:3em auto">
<h1>Pay ${intent.amount} ${escapeHtml(intent.currency)} <small>(minor units)</small></h1>
<p>${escapeHtml(intent.description ?? intent.reference)} — status: <b id="status">${escapeHtml(intent.status)}</b></p>
<form id="pay"><input name="card" value="4242424242424242" size="20" autocomplete="off"> <button>Pay</button></form>
<p>Test cards: 4242424242424242 pays, 4000000000000002 is declined, 4000000000009995 lacks funds, 4000000000000077 is slow.</p>
<script>
const config = ${config};
const secret = new URLSearchParams(location.hash.slice(1)).get('client_secret') ?? '';
document.getElementById('pay').addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch(config.confirm, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_secret: secret, card_number: event.target.card.value }) });
  const body = await response.json();
  document.getElementById('status').textContent = body.status ?? body.error.message;
});
</script></body></html>`;
}
