import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.js';
import {
  assertMayActAt,
  belongsTo,
  mayActAt,
  requireUser,
  type ApiKeyPrincipal,
  type UserPrincipal,
} from './principal.js';

const ORG = 'org-pizzeria';
const OTHER_ORG = 'org-burgers';
const STORE = 'store-centre';
const OTHER_STORE = 'store-harbour';

function user(grants: UserPrincipal['grants'], platformAdmin = false): UserPrincipal {
  return { kind: 'user', userId: 'u-1', platformAdmin, grants };
}

const storeManager = user([{ role: 'manager', organizationId: ORG, storeId: STORE }]);
const orgManager = user([{ role: 'manager', organizationId: ORG, storeId: null }]);
const storeStaff = user([{ role: 'staff', organizationId: ORG, storeId: STORE }]);
const stranger = user([{ role: 'owner', organizationId: OTHER_ORG, storeId: null }]);
const apiKey: ApiKeyPrincipal = {
  kind: 'api_key',
  apiKeyId: 'k-1',
  organizationId: ORG,
  scopes: ['stock:write', 'menu:read'],
};

describe('mayActAt', () => {
  it('when a manager holds a store grant, then it covers that store only', () => {
    expect(mayActAt(storeManager, { organizationId: ORG, storeId: STORE }, ['manager'])).toBe(true);
    expect(mayActAt(storeManager, { organizationId: ORG, storeId: OTHER_STORE }, ['manager'])).toBe(false);
  });

  it('when a manager holds a store grant, then it does not cover organization-level actions', () => {
    expect(mayActAt(storeManager, { organizationId: ORG }, ['manager'])).toBe(false);
    expect(mayActAt(storeManager, { organizationId: ORG, storeId: null }, ['manager'])).toBe(false);
  });

  it('when a manager holds an organization grant, then it covers every store and the organization itself', () => {
    expect(mayActAt(orgManager, { organizationId: ORG, storeId: STORE }, ['manager'])).toBe(true);
    expect(mayActAt(orgManager, { organizationId: ORG, storeId: OTHER_STORE }, ['manager'])).toBe(true);
    expect(mayActAt(orgManager, { organizationId: ORG }, ['manager'])).toBe(true);
  });

  it('when the grant is for another organization, then it covers nothing here', () => {
    expect(mayActAt(stranger, { organizationId: ORG, storeId: STORE }, ['owner', 'manager'])).toBe(false);
    expect(mayActAt(orgManager, { organizationId: OTHER_ORG }, ['manager'])).toBe(false);
  });

  it('when the grant has a role the action does not accept, then it does not count', () => {
    expect(mayActAt(storeStaff, { organizationId: ORG, storeId: STORE }, ['owner', 'manager'])).toBe(false);
    expect(mayActAt(storeStaff, { organizationId: ORG, storeId: STORE }, ['staff'])).toBe(true);
  });

  it('when the principal is a platform admin, then it may act anywhere', () => {
    expect(mayActAt(user([], true), { organizationId: OTHER_ORG, storeId: OTHER_STORE }, ['owner'])).toBe(true);
  });

  it('when there is no principal, then nothing is allowed', () => {
    expect(mayActAt(null, { organizationId: ORG }, ['owner'])).toBe(false);
  });

  it('when an API key holds every required scope for its own organization, then it may act; otherwise not', () => {
    expect(mayActAt(apiKey, { organizationId: ORG, storeId: STORE }, ['manager'], ['stock:write'])).toBe(true);
    expect(
      mayActAt(apiKey, { organizationId: ORG, storeId: STORE }, ['manager'], ['stock:write', 'orders:write']),
    ).toBe(false);
    expect(mayActAt(apiKey, { organizationId: OTHER_ORG }, ['manager'], ['stock:write'])).toBe(false);
    // An action that accepts no scopes is for people only.
    expect(mayActAt(apiKey, { organizationId: ORG }, ['manager'])).toBe(false);
  });
});

describe('assertMayActAt', () => {
  it('when the principal may act, then it returns without throwing', () => {
    expect(() => assertMayActAt(orgManager, { organizationId: ORG, storeId: STORE }, ['manager'])).not.toThrow();
  });

  it('when there is no principal, then UnauthenticatedError', () => {
    expect(() => assertMayActAt(null, { organizationId: ORG }, ['owner'])).toThrow(UnauthenticatedError);
  });

  it('when the principal has no relation to the organization, then NotFoundError naming what was asked for', () => {
    expect(() => assertMayActAt(stranger, { organizationId: ORG, storeId: STORE }, ['owner'], [], 'store')).toThrow(
      NotFoundError,
    );
    expect(() => assertMayActAt(stranger, { organizationId: ORG, storeId: STORE }, ['owner'], [], 'store')).toThrow(
      'No such store.',
    );
    expect(() => assertMayActAt(user([]), { organizationId: ORG }, ['owner'])).toThrow(NotFoundError);
    expect(() =>
      assertMayActAt({ ...apiKey, organizationId: OTHER_ORG }, { organizationId: ORG }, ['owner'], ['menu:read']),
    ).toThrow(NotFoundError);
  });

  it('when the principal is related to the organization but lacks the role or store, then ForbiddenError', () => {
    expect(() => assertMayActAt(storeStaff, { organizationId: ORG, storeId: STORE }, ['manager'])).toThrow(
      ForbiddenError,
    );
    expect(() => assertMayActAt(storeManager, { organizationId: ORG, storeId: OTHER_STORE }, ['manager'])).toThrow(
      ForbiddenError,
    );
    expect(() => assertMayActAt(storeManager, { organizationId: ORG }, ['manager'])).toThrow(ForbiddenError);
    expect(() => assertMayActAt(apiKey, { organizationId: ORG }, ['owner'], ['orders:write'])).toThrow(ForbiddenError);
  });
});

describe('belongsTo and requireUser', () => {
  it('when a principal has any grant or key in the organization, then it belongs to it', () => {
    expect(belongsTo(storeStaff, ORG)).toBe(true);
    expect(belongsTo(apiKey, ORG)).toBe(true);
    expect(belongsTo(stranger, ORG)).toBe(false);
    expect(belongsTo(null, ORG)).toBe(false);
  });

  it('when an API key reaches a people-only action, then requireUser throws ForbiddenError', () => {
    expect(() => requireUser(apiKey)).toThrow(ForbiddenError);
    expect(() => requireUser(null)).toThrow(UnauthenticatedError);
    expect(requireUser(storeStaff)).toBe(storeStaff);
  });
});
