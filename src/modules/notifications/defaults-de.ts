// Der eingebaute deutsche Wortlaut jeder Vorlage (Mustache: {{x}} wird im HTML maskiert).
import type { TemplateName, TemplateParts } from './catalogue.js';

const lines = `{{#lines}}
- {{quantity}} × {{name}}: {{total}}
{{/lines}}`;
const htmlLines = `<table>{{#lines}}<tr><td>{{quantity}} × {{name}}</td><td>{{total}}</td></tr>{{/lines}}</table>`;
const refund = `{{#refund}}Eine Erstattung von {{amount}} ist unterwegs zu Ihrem Zahlungsmittel.{{/refund}}{{#hold_released}}Die Reservierung auf Ihrer Karte wurde aufgehoben: Ihnen wurde nichts berechnet.{{/hold_released}}`;

export const DE: Record<TemplateName, TemplateParts> = {
  'notifications.order_confirmed': {
    subject: 'Ihre Bestellung {{order_number}} bei {{store_name}} ist bestätigt',
    text: `Hallo {{customer_name}},

{{store_name}} hat Ihre Bestellung {{order_number}} bestätigt.

${lines}
Gesamt: {{total}}

{{#pickup}}Wir sagen Ihnen Bescheid, sobald sie zur Abholung bereitsteht.{{/pickup}}{{#delivery}}Wir sagen Ihnen Bescheid, sobald sie unterwegs ist.{{/delivery}}`,
    html: `<p>Hallo {{customer_name}},</p>
<p><strong>{{store_name}}</strong> hat Ihre Bestellung <strong>{{order_number}}</strong> bestätigt.</p>
${htmlLines}
<p>Gesamt: <strong>{{total}}</strong></p>
<p>{{#pickup}}Wir sagen Ihnen Bescheid, sobald sie zur Abholung bereitsteht.{{/pickup}}{{#delivery}}Wir sagen Ihnen Bescheid, sobald sie unterwegs ist.{{/delivery}}</p>`,
    sms: '{{store_name}}: Bestellung {{order_number}} bestätigt. Gesamt {{total}}.',
  },
  'notifications.order_ready': {
    subject: 'Ihre Bestellung {{order_number}} ist abholbereit',
    text: `Hallo {{customer_name}},

Ihre Bestellung {{order_number}} steht bei {{store_name}} zur Abholung bereit.`,
    html: `<p>Hallo {{customer_name}},</p>
<p>Ihre Bestellung <strong>{{order_number}}</strong> steht bei <strong>{{store_name}}</strong> zur Abholung bereit.</p>`,
    sms: '{{store_name}}: Bestellung {{order_number}} ist abholbereit.',
  },
  'notifications.order_out_for_delivery': {
    subject: 'Ihre Bestellung {{order_number}} ist unterwegs',
    text: `Hallo {{customer_name}},

Ihre Bestellung {{order_number}} von {{store_name}} ist auf dem Weg zu Ihnen.`,
    html: `<p>Hallo {{customer_name}},</p>
<p>Ihre Bestellung <strong>{{order_number}}</strong> von <strong>{{store_name}}</strong> ist auf dem Weg zu Ihnen.</p>`,
    sms: '{{store_name}}: Bestellung {{order_number}} ist unterwegs.',
  },
  'notifications.order_delivered': {
    subject: 'Ihre Bestellung {{order_number}} wurde geliefert',
    text: `Hallo {{customer_name}},

Ihre Bestellung {{order_number}} von {{store_name}} wurde geliefert. Guten Appetit!`,
    html: `<p>Hallo {{customer_name}},</p>
<p>Ihre Bestellung <strong>{{order_number}}</strong> von <strong>{{store_name}}</strong> wurde geliefert. Guten Appetit!</p>`,
    sms: '{{store_name}}: Bestellung {{order_number}} wurde geliefert. Guten Appetit!',
  },
  'notifications.order_cancelled': {
    subject: 'Ihre Bestellung {{order_number}} wurde storniert',
    text: `Hallo {{customer_name}},

Ihre Bestellung {{order_number}} bei {{store_name}} wurde storniert.{{#reason}} Grund: {{reason}}.{{/reason}}

${refund}`,
    html: `<p>Hallo {{customer_name}},</p>
<p>Ihre Bestellung <strong>{{order_number}}</strong> bei <strong>{{store_name}}</strong> wurde storniert.{{#reason}} Grund: {{reason}}.{{/reason}}</p>
<p>${refund}</p>`,
    sms: '{{store_name}}: Bestellung {{order_number}} storniert.{{#refund}} Erstattung von {{amount}} folgt.{{/refund}}',
  },
  'notifications.order_rejected': {
    subject: '{{store_name}} konnte Ihre Bestellung {{order_number}} nicht annehmen',
    text: `Hallo {{customer_name}},

es tut uns leid: {{store_name}} konnte Ihre Bestellung {{order_number}} nicht annehmen.{{#reason}} Grund: {{reason}}.{{/reason}}

${refund}`,
    html: `<p>Hallo {{customer_name}},</p>
<p>es tut uns leid: <strong>{{store_name}}</strong> konnte Ihre Bestellung <strong>{{order_number}}</strong> nicht annehmen.{{#reason}} Grund: {{reason}}.{{/reason}}</p>
<p>${refund}</p>`,
    sms: '{{store_name}} konnte Bestellung {{order_number}} nicht annehmen.{{#refund}} Erstattung von {{amount}} folgt.{{/refund}}',
  },
  'notifications.review_request': {
    subject: 'Wie war Ihre Bestellung {{order_number}} bei {{store_name}}?',
    text: `Hallo {{customer_name}},

danke für Ihre Bestellung bei {{store_name}}. Wie war die Bestellung {{order_number}}? Bewerten Sie sie und sagen Sie uns Ihre Meinung: Bewertungen dieser Bestellung sind bis {{review_until}} möglich.`,
    html: `<p>Hallo {{customer_name}},</p>
<p>danke für Ihre Bestellung bei <strong>{{store_name}}</strong>. Wie war die Bestellung <strong>{{order_number}}</strong>?</p>
<p>Bewerten Sie sie und sagen Sie uns Ihre Meinung: Bewertungen dieser Bestellung sind bis {{review_until}} möglich.</p>`,
    sms: '{{store_name}}: Wie war Bestellung {{order_number}}? Bewertung bis {{review_until}} möglich.',
  },
  'identity.email_verification': {
    subject: 'Bestätigen Sie Ihre E-Mail-Adresse',
    text: `Hallo {{name}},

bestätigen Sie Ihre E-Mail-Adresse mit diesem Code: {{token}}

Er gilt bis {{expires_at}}. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail.`,
    html: `<p>Hallo {{name}},</p>
<p>bestätigen Sie Ihre E-Mail-Adresse mit diesem Code:</p>
<p><code>{{token}}</code></p>
<p>Er gilt bis {{expires_at}}. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail.</p>`,
    sms: 'Ihr Brigade-Bestätigungscode: {{token}}',
  },
  'identity.password_reset': {
    subject: 'Passwort zurücksetzen',
    text: `Hallo {{name}},

jemand möchte Ihr Passwort zurücksetzen. Mit diesem Code wählen Sie ein neues: {{token}}

Er gilt bis {{expires_at}}. Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.`,
    html: `<p>Hallo {{name}},</p>
<p>jemand möchte Ihr Passwort zurücksetzen. Mit diesem Code wählen Sie ein neues:</p>
<p><code>{{token}}</code></p>
<p>Er gilt bis {{expires_at}}. Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.</p>`,
    sms: 'Ihr Brigade-Code zum Zurücksetzen des Passworts: {{token}}',
  },
  'identity.password_changed': {
    subject: 'Ihr Passwort wurde geändert',
    text: `Hallo {{name}},

Ihr Passwort wurde am {{changed_at}} geändert, und alle Sitzungen wurden abgemeldet. Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück.`,
    html: `<p>Hallo {{name}},</p>
<p>Ihr Passwort wurde am {{changed_at}} geändert, und alle Sitzungen wurden abgemeldet. Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück.</p>`,
    sms: 'Ihr Brigade-Passwort wurde geändert.',
  },
  'identity.sign_up_attempted': {
    subject: 'Jemand wollte sich mit Ihrer E-Mail-Adresse registrieren',
    text: `Hallo {{name}},

am {{attempted_at}} wollte jemand ein Konto mit dieser E-Mail-Adresse anlegen. Sie haben bereits eines: Melden Sie sich an oder setzen Sie Ihr Passwort zurück, falls Sie es vergessen haben. Wenn Sie das nicht waren, ignorieren Sie diese E-Mail.`,
    html: `<p>Hallo {{name}},</p>
<p>am {{attempted_at}} wollte jemand ein Konto mit dieser E-Mail-Adresse anlegen. Sie haben bereits eines: Melden Sie sich an oder setzen Sie Ihr Passwort zurück, falls Sie es vergessen haben. Wenn Sie das nicht waren, ignorieren Sie diese E-Mail.</p>`,
    sms: 'Jemand wollte sich mit Ihrer E-Mail-Adresse bei Brigade registrieren.',
  },
  'notifications.staff_new_order': {
    subject: 'Neue Bestellung {{order_number}} bei {{store_name}}',
    text: `Hallo {{name}},

bei {{store_name}} ist eine neue Bestellung {{order_number}} ({{#pickup}}Abholung{{/pickup}}{{#delivery}}Lieferung{{/delivery}}{{#dine_in}}am Tisch{{/dine_in}}) eingegangen, und kein Küchendisplay ist geöffnet, das sie zeigt.

{{#lines}}
- {{quantity}} × {{name}}
{{/lines}}
Summe: {{total}}

Öffnen Sie das Küchendisplay, um sie anzunehmen.`,
    html: `<p>Hallo {{name}},</p>
<p>bei <strong>{{store_name}}</strong> ist eine neue Bestellung <strong>{{order_number}}</strong> ({{#pickup}}Abholung{{/pickup}}{{#delivery}}Lieferung{{/delivery}}{{#dine_in}}am Tisch{{/dine_in}}) eingegangen, und kein Küchendisplay ist geöffnet, das sie zeigt.</p>
<ul>{{#lines}}<li>{{quantity}} × {{name}}</li>{{/lines}}</ul>
<p>Summe: <strong>{{total}}</strong></p>
<p>Öffnen Sie das Küchendisplay, um sie anzunehmen.</p>`,
    sms: '{{store_name}}: neue Bestellung {{order_number}} ({{total}}). Kein Küchendisplay geöffnet.',
  },
  'notifications.staff_low_stock': {
    subject: '{{item_name}} wird knapp bei {{store_name}}',
    text: `Hallo {{name}},

von {{item_name}} sind bei {{store_name}} nur noch {{quantity}} übrig (Ihre Marke: {{low_stock_at}}). Füllen Sie den Bestand auf, sonst ist es bald ausverkauft.`,
    html: `<p>Hallo {{name}},</p>
<p>von <strong>{{item_name}}</strong> sind bei <strong>{{store_name}}</strong> nur noch {{quantity}} übrig (Ihre Marke: {{low_stock_at}}). Füllen Sie den Bestand auf, sonst ist es bald ausverkauft.</p>`,
    sms: '{{store_name}}: {{item_name}} nur noch {{quantity}} (Marke {{low_stock_at}}).',
  },
  'webhooks.endpoint_disabled': {
    subject: 'Ein Webhook-Endpunkt wurde deaktiviert',
    text: `Hallo {{name}},

Brigade sendet keine Webhooks mehr an {{url}} (Endpunkt {{endpoint_id}}): {{reason}}. Beheben Sie den Fehler beim Empfänger, aktivieren Sie den Endpunkt wieder und spielen Sie das Verpasste erneut ab.`,
    html: `<p>Hallo {{name}},</p>
<p>Brigade sendet keine Webhooks mehr an <code>{{url}}</code> (Endpunkt {{endpoint_id}}): {{reason}}.</p>
<p>Beheben Sie den Fehler beim Empfänger, aktivieren Sie den Endpunkt wieder und spielen Sie das Verpasste erneut ab.</p>`,
    sms: 'Brigade hat den Webhook-Endpunkt {{url}} deaktiviert: {{reason}}.',
  },
};
