// Rendering and phone numbers, without a database: escaping, what templates may not do, money
// per language, every built-in template in every language, and E.164 normalization.
import { describe, expect, it } from 'vitest';
import { LOCALES, SAMPLE_DATA, type TemplateName } from './catalogue.js';
import { DE } from './defaults-de.js';
import { EN } from './defaults-en.js';
import { toE164 } from './phone.js';
import { formatAmount, renderParts, templateProblem } from './render.js';

const parts = {
  subject: '{{store_name}}',
  text: 'Hi {{customer_name}}',
  html: '<p>{{customer_name}}</p>',
  sms: '{{x}}',
};

describe('rendering', () => {
  it('when a name holds markup, then the HTML part escapes it and the text parts keep it as written', () => {
    const evil = '<img src=x onerror="alert(1)"> & Co';
    const out = renderParts(parts, { store_name: evil, customer_name: evil, x: evil }, 'en');
    expect(out.html).toContain('<p>&lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt; &amp; Co</p>');
    expect(out.html).not.toContain('<img');
    expect(out.html).toContain('<title>&lt;img');
    expect(out.text).toBe(`Hi ${evil}`);
    expect(out.subject).toBe(evil);
    expect(out.sms).toBe(evil);
  });

  it('when a subject would span lines, then it is one line', () => {
    expect(renderParts({ ...parts, subject: 'a\r\n{{store_name}}' }, { store_name: 'b\nBcc: x' }, 'en').subject).toBe(
      'a b Bcc: x',
    );
  });

  it('when a template unescapes or pulls in a partial in HTML, or reaches a built-in method, then it is refused', () => {
    expect(templateProblem('html', '{{{customer_name}}}')).toMatch(/unescaped/);
    expect(templateProblem('html', '{{& customer_name}}')).toMatch(/unescaped/);
    expect(templateProblem('html', '{{#lines}}{{{name}}}{{/lines}}')).toMatch(/unescaped/);
    expect(templateProblem('text', '{{> header}}')).toMatch(/partials/);
    expect(templateProblem('text', '{{#constructor}}x{{/constructor}}')).toMatch(/not a value/);
    expect(templateProblem('text', '{{lines.map}}')).toMatch(/not a value/);
    expect(templateProblem('subject', '{{#open}}never closed')).toMatch(/Unclosed section/);
    expect(templateProblem('text', '{{{customer_name}}}')).toBeNull();
    expect(templateProblem('html', '{{#refund}}{{amount}}{{/refund}}')).toBeNull();
  });

  it('when data reaches for the prototype, then it finds nothing', () => {
    const out = renderParts({ ...parts, text: '[{{constructor}}][{{__proto__}}][{{toString}}]' }, {}, 'en');
    expect(out.text).toBe('[][][]');
  });

  it('when an amount is shown, then it is formatted for the language', () => {
    expect(formatAmount(2150, 'EUR', 'en')).toBe('€21.50');
    expect(formatAmount(2150, 'EUR', 'de').replace(/\s/g, ' ')).toBe('21,50 €');
    expect(formatAmount(1500, 'JPY', 'en')).toBe('¥1,500');
    const out = renderParts({ ...parts, text: '{{total}}' }, { total: { amount: 999, currency: 'USD' } }, 'en');
    expect(out.text).toBe('$9.99');
  });

  it('when any built-in template is rendered in any language with its sample, then it renders and passes the checks', () => {
    for (const locale of LOCALES) {
      const book = locale === 'de' ? DE : EN;
      for (const [name, template] of Object.entries(book) as Array<[TemplateName, typeof parts]>) {
        for (const part of ['subject', 'text', 'html', 'sms'] as const)
          expect(templateProblem(part, template[part]), `${locale} ${name} ${part}`).toBeNull();
        const out = renderParts(template, SAMPLE_DATA[name], locale);
        expect(out.subject.length, `${locale} ${name}`).toBeGreaterThan(0);
        expect(out.sms.length, `${locale} ${name}`).toBeLessThanOrEqual(160 * 2);
      }
    }
    expect(Object.keys(DE).sort()).toEqual(Object.keys(EN).sort());
  });

  it('when an order is cancelled after payment, then the German mail says a refund follows', () => {
    const out = renderParts(DE['notifications.order_cancelled'], SAMPLE_DATA['notifications.order_cancelled'], 'de');
    expect(out.subject).toBe('Ihre Bestellung A-1042 wurde storniert');
    expect(out.text.replace(/\s/g, ' ')).toContain('Eine Erstattung von 21,50 € ist unterwegs');
  });
});

describe('phone numbers', () => {
  it('when a number is typed any usual way, then it is stored as E.164', () => {
    expect(toE164('+49 151 23456789')).toBe('+4915123456789');
    expect(toE164('+49 (0)151-234 567 89')).toBe('+4915123456789');
    expect(toE164('0151 23456789', 'DE')).toBe('+4915123456789');
    expect(toE164('(212) 555-2368', 'US')).toBe('+12125552368');
    expect(toE164('+1 212 555 2368')).toBe('+12125552368');
  });

  it('when a number is not valid, or national without a country, then there is none', () => {
    expect(toE164('0151 23456789')).toBeNull();
    expect(toE164('+49 123')).toBeNull();
    expect(toE164('call me maybe')).toBeNull();
    expect(toE164('+1 555 0100', 'US')).toBeNull();
  });
});
