// The built-in English wording of every template (Mustache: {{x}} is escaped in HTML).
import type { TemplateName, TemplateParts } from './catalogue.js';

const lines = `{{#lines}}
- {{quantity}} × {{name}}: {{total}}
{{/lines}}`;
const htmlLines = `<table>{{#lines}}<tr><td>{{quantity}} × {{name}}</td><td>{{total}}</td></tr>{{/lines}}</table>`;
const refund = `{{#refund}}A refund of {{amount}} is on its way to your payment method.{{/refund}}{{#hold_released}}The hold on your card has been released: you were not charged.{{/hold_released}}`;

export const EN: Record<TemplateName, TemplateParts> = {
  'notifications.order_confirmed': {
    subject: 'Your order {{order_number}} at {{store_name}} is confirmed',
    text: `Hello {{customer_name}},

{{store_name}} has confirmed your order {{order_number}}.

${lines}
Total: {{total}}

{{#pickup}}We will let you know when it is ready for pickup.{{/pickup}}{{#delivery}}We will let you know when it is on its way.{{/delivery}}`,
    html: `<p>Hello {{customer_name}},</p>
<p><strong>{{store_name}}</strong> has confirmed your order <strong>{{order_number}}</strong>.</p>
${htmlLines}
<p>Total: <strong>{{total}}</strong></p>
<p>{{#pickup}}We will let you know when it is ready for pickup.{{/pickup}}{{#delivery}}We will let you know when it is on its way.{{/delivery}}</p>`,
    sms: '{{store_name}}: order {{order_number}} confirmed. Total {{total}}.',
  },
  'notifications.order_ready': {
    subject: 'Your order {{order_number}} is ready for pickup',
    text: `Hello {{customer_name}},

your order {{order_number}} is ready for pickup at {{store_name}}.`,
    html: `<p>Hello {{customer_name}},</p>
<p>your order <strong>{{order_number}}</strong> is ready for pickup at <strong>{{store_name}}</strong>.</p>`,
    sms: '{{store_name}}: order {{order_number}} is ready for pickup.',
  },
  'notifications.order_out_for_delivery': {
    subject: 'Your order {{order_number}} is on its way',
    text: `Hello {{customer_name}},

your order {{order_number}} from {{store_name}} is out for delivery.`,
    html: `<p>Hello {{customer_name}},</p>
<p>your order <strong>{{order_number}}</strong> from <strong>{{store_name}}</strong> is out for delivery.</p>`,
    sms: '{{store_name}}: order {{order_number}} is on its way.',
  },
  'notifications.order_delivered': {
    subject: 'Your order {{order_number}} was delivered',
    text: `Hello {{customer_name}},

your order {{order_number}} from {{store_name}} was delivered. Enjoy your meal!`,
    html: `<p>Hello {{customer_name}},</p>
<p>your order <strong>{{order_number}}</strong> from <strong>{{store_name}}</strong> was delivered. Enjoy your meal!</p>`,
    sms: '{{store_name}}: order {{order_number}} was delivered. Enjoy!',
  },
  'notifications.order_cancelled': {
    subject: 'Your order {{order_number}} was cancelled',
    text: `Hello {{customer_name}},

your order {{order_number}} at {{store_name}} was cancelled.{{#reason}} Reason: {{reason}}.{{/reason}}

${refund}`,
    html: `<p>Hello {{customer_name}},</p>
<p>your order <strong>{{order_number}}</strong> at <strong>{{store_name}}</strong> was cancelled.{{#reason}} Reason: {{reason}}.{{/reason}}</p>
<p>${refund}</p>`,
    sms: '{{store_name}}: order {{order_number}} was cancelled.{{#refund}} A refund of {{amount}} follows.{{/refund}}',
  },
  'notifications.order_rejected': {
    subject: '{{store_name}} could not take your order {{order_number}}',
    text: `Hello {{customer_name}},

we are sorry: {{store_name}} could not take your order {{order_number}}.{{#reason}} Reason: {{reason}}.{{/reason}}

${refund}`,
    html: `<p>Hello {{customer_name}},</p>
<p>we are sorry: <strong>{{store_name}}</strong> could not take your order <strong>{{order_number}}</strong>.{{#reason}} Reason: {{reason}}.{{/reason}}</p>
<p>${refund}</p>`,
    sms: '{{store_name}} could not take order {{order_number}}.{{#refund}} A refund of {{amount}} follows.{{/refund}}',
  },
  'notifications.review_request': {
    subject: 'How was your order {{order_number}} from {{store_name}}?',
    text: `Hello {{customer_name}},

thank you for ordering from {{store_name}}. How was order {{order_number}}? Rate it and tell us what you thought: reviews of this order are open until {{review_until}}.`,
    html: `<p>Hello {{customer_name}},</p>
<p>thank you for ordering from <strong>{{store_name}}</strong>. How was order <strong>{{order_number}}</strong>?</p>
<p>Rate it and tell us what you thought: reviews of this order are open until {{review_until}}.</p>`,
    sms: '{{store_name}}: how was order {{order_number}}? Review it until {{review_until}}.',
  },
  'identity.email_verification': {
    subject: 'Confirm your email address',
    text: `Hello {{name}},

confirm your email address with this code: {{token}}

It works until {{expires_at}}. If you did not sign up, ignore this mail.`,
    html: `<p>Hello {{name}},</p>
<p>confirm your email address with this code:</p>
<p><code>{{token}}</code></p>
<p>It works until {{expires_at}}. If you did not sign up, ignore this mail.</p>`,
    sms: 'Your Brigade verification code: {{token}}',
  },
  'identity.password_reset': {
    subject: 'Reset your password',
    text: `Hello {{name}},

someone asked to reset your password. Use this code to choose a new one: {{token}}

It works until {{expires_at}}. If it was not you, ignore this mail: your password stays as it is.`,
    html: `<p>Hello {{name}},</p>
<p>someone asked to reset your password. Use this code to choose a new one:</p>
<p><code>{{token}}</code></p>
<p>It works until {{expires_at}}. If it was not you, ignore this mail: your password stays as it is.</p>`,
    sms: 'Your Brigade password reset code: {{token}}',
  },
  'identity.password_changed': {
    subject: 'Your password was changed',
    text: `Hello {{name}},

your password was changed at {{changed_at}} and every session was signed out. If it was not you, reset your password now.`,
    html: `<p>Hello {{name}},</p>
<p>your password was changed at {{changed_at}} and every session was signed out. If it was not you, reset your password now.</p>`,
    sms: 'Your Brigade password was changed.',
  },
  'identity.sign_up_attempted': {
    subject: 'Someone tried to sign up with your email',
    text: `Hello {{name}},

someone tried to create an account with this email address at {{attempted_at}}. You already have one: sign in, or reset your password if you forgot it. If it was not you, ignore this mail.`,
    html: `<p>Hello {{name}},</p>
<p>someone tried to create an account with this email address at {{attempted_at}}. You already have one: sign in, or reset your password if you forgot it. If it was not you, ignore this mail.</p>`,
    sms: 'Someone tried to sign up to Brigade with your email address.',
  },
  'notifications.staff_new_order': {
    subject: 'New order {{order_number}} at {{store_name}}',
    text: `Hello {{name}},

a new {{#pickup}}pickup{{/pickup}}{{#delivery}}delivery{{/delivery}}{{#dine_in}}table{{/dine_in}} order {{order_number}} arrived at {{store_name}} and no kitchen display is open to show it.

{{#lines}}
- {{quantity}} × {{name}}
{{/lines}}
Total: {{total}}

Open the kitchen display to accept it.`,
    html: `<p>Hello {{name}},</p>
<p>a new {{#pickup}}pickup{{/pickup}}{{#delivery}}delivery{{/delivery}}{{#dine_in}}table{{/dine_in}} order <strong>{{order_number}}</strong> arrived at <strong>{{store_name}}</strong> and no kitchen display is open to show it.</p>
<ul>{{#lines}}<li>{{quantity}} × {{name}}</li>{{/lines}}</ul>
<p>Total: <strong>{{total}}</strong></p>
<p>Open the kitchen display to accept it.</p>`,
    sms: '{{store_name}}: new order {{order_number}} ({{total}}). No kitchen display is open.',
  },
  'notifications.staff_low_stock': {
    subject: '{{item_name}} is running low at {{store_name}}',
    text: `Hello {{name}},

{{item_name}} is down to {{quantity}} at {{store_name}} (your mark is {{low_stock_at}}). Restock it, or it sells out.`,
    html: `<p>Hello {{name}},</p>
<p><strong>{{item_name}}</strong> is down to {{quantity}} at <strong>{{store_name}}</strong> (your mark is {{low_stock_at}}). Restock it, or it sells out.</p>`,
    sms: '{{store_name}}: {{item_name}} is down to {{quantity}} (mark {{low_stock_at}}).',
  },
  'webhooks.endpoint_disabled': {
    subject: 'A webhook endpoint was disabled',
    text: `Hello {{name}},

Brigade stopped sending webhooks to {{url}} (endpoint {{endpoint_id}}): {{reason}}. Fix the receiver, then enable the endpoint again and replay what it missed.`,
    html: `<p>Hello {{name}},</p>
<p>Brigade stopped sending webhooks to <code>{{url}}</code> (endpoint {{endpoint_id}}): {{reason}}.</p>
<p>Fix the receiver, then enable the endpoint again and replay what it missed.</p>`,
    sms: 'Brigade disabled the webhook endpoint {{url}}: {{reason}}.',
  },
};
