// A brand's wording of its guest notifications over HTTP: reading the wording in force,
// rewording it (If-Match, audited, unsafe templates refused), previews, and who may do which.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const url = (orgId: string, template = 'notifications.order_ready', suffix = '?locale=en') =>
  `/v1/organizations/${orgId}/notification-templates/${template}${suffix}`;

async function brand() {
  const { organization } = await organizationWithStore(t);
  const manager = await staffOf(t, { organizationId: organization.id, role: 'manager' });
  return { orgId: organization.id, ownerToken: organization.owner.token, managerToken: manager.token };
}

describe('reading and rewording', () => {
  it('when nothing was reworded, then the built-in wording is in force at version 0', async () => {
    const { orgId, managerToken } = await brand();
    const res = await t.app.inject({
      method: 'GET',
      url: url(orgId, undefined, '?locale=de'),
      headers: bearer(managerToken),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toBe('"0"');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.json()).toMatchObject({
      template: 'notifications.order_ready',
      locale: 'de',
      subject: 'Ihre Bestellung {{order_number}} ist abholbereit',
      custom: [],
      version: 0,
      updated_at: null,
    });
  });

  it('when a manager rewords the subject with the current ETag, then it is in force, versioned and audited; a stale ETag is 412', async () => {
    const { orgId, managerToken } = await brand();
    const put = await t.app.inject({
      method: 'PUT',
      url: url(orgId),
      headers: { ...bearer(managerToken), 'if-match': '"0"' },
      payload: { subject: 'Pizza {{order_number}} is hot!', sms: 'Hot: {{order_number}}' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.headers.etag).toBe('"1"');
    expect(put.json()).toMatchObject({
      subject: 'Pizza {{order_number}} is hot!',
      custom: ['subject', 'sms'],
      version: 1,
    });
    expect(put.json<{ text: string }>().text).toContain('is ready for pickup');

    const stale = await t.app.inject({
      method: 'PUT',
      url: url(orgId),
      headers: { ...bearer(managerToken), 'if-match': '"0"' },
      payload: { subject: 'Lost update' },
    });
    expect(stale.statusCode).toBe(412);

    const { rows } = await sql<{ action: string; target_id: string }>`
      SELECT action, target_id FROM audit_log WHERE organization_id = ${orgId} AND target_type = 'notification_template'
    `.execute(t.db.database.db);
    expect(rows).toEqual([{ action: 'notifications.template.replaced', target_id: 'notifications.order_ready/en' }]);

    const reset = await t.app.inject({ method: 'PUT', url: url(orgId), headers: bearer(managerToken), payload: {} });
    expect(reset.json()).toMatchObject({
      custom: [],
      version: 2,
      subject: 'Your order {{order_number}} is ready for pickup',
    });
  });

  it('when a template unescapes a value in HTML or does not parse, then 422 names each part', async () => {
    const { orgId, managerToken } = await brand();
    const res = await t.app.inject({
      method: 'PUT',
      url: url(orgId),
      headers: bearer(managerToken),
      payload: { html: '<p>{{{customer_name}}}</p>', text: 'Hi {{#customer_name}}' },
    });
    expect(res.statusCode).toBe(422);
    const problem = res.json<{ code: string; errors: Array<{ path: string }> }>();
    expect(problem.code).toBe('INVALID_NOTIFICATION_TEMPLATE');
    expect(problem.errors.map((error) => error.path).sort()).toEqual(['/body/html', '/body/text']);
  });

  it('when the template is not a guest notification, then 404; an unknown locale is 400', async () => {
    const { orgId, managerToken } = await brand();
    const unknown = await t.app.inject({
      method: 'GET',
      url: url(orgId, 'identity.password_reset'),
      headers: bearer(managerToken),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('NOTIFICATION_TEMPLATE_NOT_FOUND');
    const locale = await t.app.inject({
      method: 'GET',
      url: url(orgId, undefined, '?locale=fr'),
      headers: bearer(managerToken),
    });
    expect(locale.statusCode).toBe(400);
  });
});

describe('previews', () => {
  it('when a manager previews with data and an unsaved draft, then it renders, escaped in HTML, and nothing is saved', async () => {
    const { orgId, managerToken } = await brand();
    const res = await t.app.inject({
      method: 'POST',
      url: url(orgId, 'notifications.order_confirmed', '/preview'),
      headers: bearer(managerToken),
      payload: {
        locale: 'de',
        data: { store_name: '<b>Bella</b>', order_number: 'B-7' },
        draft: { html: '<h1>{{store_name}}</h1><p>{{total}}</p>' },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const rendered = res.json<{ subject: string; text: string; html: string; sms: string }>();
    expect(rendered.subject).toBe('Ihre Bestellung B-7 bei <b>Bella</b> ist bestätigt');
    expect(rendered.html).toContain('<h1>&lt;b&gt;Bella&lt;&#x2F;b&gt;</h1><p>21,50');
    expect(rendered.text).toContain('2 × Margherita');
    expect(rendered.sms).toMatch(/^<b>Bella<\/b>: Bestellung B-7 bestätigt/);
    const saved = await t.app.inject({
      method: 'GET',
      url: url(orgId, 'notifications.order_confirmed'),
      headers: bearer(managerToken),
    });
    expect(saved.json().version).toBe(0);
  });
});

describe('access', () => {
  it('when a customer, a store-level staff member or another brand’s manager asks, then 403 or 404; API docs list the routes', async () => {
    const { orgId } = await brand();
    const other = await brand();
    const guest = await customer(t);
    const storeStaff = await staffOf(t, { organizationId: orgId, role: 'staff' });
    expect((await t.app.inject({ method: 'GET', url: url(orgId) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: url(orgId), headers: bearer(guest.token) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: url(orgId), headers: bearer(storeStaff.token) })).statusCode).toBe(
      403,
    );
    const foreign = await t.app.inject({
      method: 'PUT',
      url: url(orgId),
      headers: bearer(other.managerToken),
      payload: { subject: 'Hijacked' },
    });
    expect(foreign.statusCode).toBe(404);
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>();
    const path = '/v1/organizations/{organizationId}/notification-templates/{template}';
    expect(doc.paths[path]?.put?.operationId).toBe('putNotificationTemplate');
    expect(doc.paths[`${path}/preview`]?.post?.operationId).toBe('previewNotificationTemplate');
  });
});
