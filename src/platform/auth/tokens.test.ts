import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createBareServer } from '../../test-support/server.js';
import { UnauthenticatedError } from '../http/errors.js';
import { createAccessTokenIssuer, type AccessTokenIssuer } from './tokens.js';

const ISSUER = 'brigade-test';
const AUDIENCE = 'brigade-api';
const ED25519_PEM = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const P256_PEM = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brigade-tokens-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function issuer(
  pem: string | null = ED25519_PEM,
  overrides: { issuer?: string; dataDir?: string; verifyOnly?: string[] } = {},
): AccessTokenIssuer {
  return createAccessTokenIssuer({
    privateKeyPem: pem,
    verifyOnlyKeysPem: overrides.verifyOnly,
    dataDir: overrides.dataDir ?? tempDir(),
    issuer: overrides.issuer ?? ISSUER,
    ttlSeconds: 900,
  });
}

/** The code verify() fails with (fails the test when it accepts the token). */
async function rejectionCode(tokens: AccessTokenIssuer, token: string): Promise<string> {
  try {
    await tokens.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthenticatedError);
    return (error as UnauthenticatedError).code;
  }
  throw new Error('verify() accepted the token');
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A token signed by our own key but with claims or header chosen by the test. */
function forge(key: KeyObject, kid: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: 'user-1',
    sid: 'family-1',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT', ...header })
    .sign(key);
}

describe('access tokens', () => {
  it('when a token is signed, then it verifies back to the same claims', async () => {
    const tokens = issuer();
    const token = await tokens.sign({ sub: 'user-1', sid: 'family-1' });
    await expect(tokens.verify(token)).resolves.toEqual({ sub: 'user-1', sid: 'family-1' });
  });

  it('when a token is signed, then its header names the key (kid) and an asymmetric algorithm', async () => {
    const tokens = issuer();
    const header = decodeProtectedHeader(await tokens.sign({ sub: 'u', sid: 's' }));
    expect(header).toEqual({ alg: 'EdDSA', kid: tokens.kid, typ: 'JWT' });
    expect(tokens.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('when the key is P-256, then tokens use ES256 and still round-trip', async () => {
    const tokens = issuer(P256_PEM);
    const token = await tokens.sign({ sub: 'user-2', sid: 'family-2' });
    expect(decodeProtectedHeader(token).alg).toBe('ES256');
    await expect(tokens.verify(token)).resolves.toEqual({ sub: 'user-2', sid: 'family-2' });
  });

  it('when the key is RSA, then the issuer refuses it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => issuer(rsa)).toThrow(/Ed25519 or P-256/);
  });

  it('when the JWKS is published, then it holds the public key only, under the same kid', async () => {
    const tokens = issuer();
    const { keys } = await tokens.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: tokens.kid, alg: 'EdDSA', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('when a token says alg "none" and carries no signature, then it is rejected', async () => {
    const tokens = issuer();
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid: tokens.kid })}.${b64({ sub: 'admin', sid: 'x', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 })}.`;
    expect(await rejectionCode(tokens, unsigned)).toBe('INVALID_TOKEN');
  });

  it('when a token is HS256-signed with the public key bytes as the secret, then it is rejected', async () => {
    const tokens = issuer();
    const publicKey = createPublicKey(createPrivateKey(ED25519_PEM));
    const secrets = [
      Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      publicKey.export({ type: 'spki', format: 'der' }),
    ];
    for (const secret of secrets) {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ sub: 'admin', sid: 'x' })
        .setProtectedHeader({ alg: 'HS256', kid: tokens.kid, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new Uint8Array(secret));
      expect(await rejectionCode(tokens, token)).toBe('INVALID_TOKEN');
    }
  });

  it('when a token has expired, then TOKEN_EXPIRED', async () => {
    const tokens = issuer();
    const now = Math.floor(Date.now() / 1000);
    const token = await forge(createPrivateKey(ED25519_PEM), tokens.kid, { iat: now - 3600, exp: now - 60 });
    expect(await rejectionCode(tokens, token)).toBe('TOKEN_EXPIRED');
  });

  it('when a token was issued by another issuer, then it is rejected', async () => {
    const tokens = issuer();
    const foreign = issuer(ED25519_PEM, { issuer: 'someone-else' });
    expect(foreign.kid).toBe(tokens.kid);
    expect(await rejectionCode(tokens, await foreign.sign({ sub: 'u', sid: 's' }))).toBe('INVALID_TOKEN');
  });

  it('when a token is for another audience, then it is rejected', async () => {
    const tokens = issuer();
    const token = await forge(createPrivateKey(ED25519_PEM), tokens.kid, { aud: 'another-api' });
    expect(await rejectionCode(tokens, token)).toBe('INVALID_TOKEN');
  });

  it('when a token was signed by another key, then it is rejected', async () => {
    const tokens = issuer();
    const other = issuer(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(await rejectionCode(tokens, await other.sign({ sub: 'u', sid: 's' }))).toBe('INVALID_TOKEN');
  });

  it('when the kid in the header is not ours, then the token is rejected even with a valid signature', async () => {
    const tokens = issuer();
    const token = await forge(createPrivateKey(ED25519_PEM), 'some-other-kid', {});
    expect(await rejectionCode(tokens, token)).toBe('INVALID_TOKEN');
  });

  it('when the claims lack sid, then the token is rejected as malformed', async () => {
    const tokens = issuer();
    const token = await forge(createPrivateKey(ED25519_PEM), tokens.kid, { sid: undefined });
    expect(await rejectionCode(tokens, token)).toBe('INVALID_TOKEN');
  });

  it.each(['exp', 'iat', 'iss', 'aud', 'sub'])(
    'when a token signed by our own key lacks "%s", then it is refused as INVALID_TOKEN',
    async (claim) => {
      const tokens = issuer();
      const key = createPrivateKey(ED25519_PEM);
      // The same forged token with the claim present verifies: only the missing claim refuses it.
      await expect(tokens.verify(await forge(key, tokens.kid, {}))).resolves.toEqual({
        sub: 'user-1',
        sid: 'family-1',
      });
      expect(await rejectionCode(tokens, await forge(key, tokens.kid, { [claim]: undefined }))).toBe('INVALID_TOKEN');
    },
  );

  it('when a request carries a token lacking exp, then it is answered with the existing 401 problem', async () => {
    const tokens = issuer();
    // A server whose authentication is this verifier (as identity's is), with one signed-in route.
    const app = await createBareServer({
      authenticate: async (credential) => {
        const claims = await tokens.verify(credential);
        return { kind: 'user', userId: claims.sub, platformAdmin: false, grants: [] };
      },
    });
    app.get('/who', { config: { access: 'signed_in' } }, async (request) => ({ principal: request.principal }));
    await app.ready();
    try {
      const call = (token: string) =>
        app.inject({ method: 'GET', url: '/who', headers: { authorization: `Bearer ${token}` } });
      const key = createPrivateKey(ED25519_PEM);
      expect((await call(await forge(key, tokens.kid, {}))).statusCode).toBe(200);
      const res = await call(await forge(key, tokens.kid, { exp: undefined }));
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ status: 401, code: 'INVALID_TOKEN', title: 'Unauthenticated' });
    } finally {
      await app.close();
    }
  });

  it('when the token is not a JWT at all, then it is rejected', async () => {
    expect(await rejectionCode(issuer(), 'bk_live_not-a-jwt')).toBe('INVALID_TOKEN');
  });
});

describe('signing key rotation', () => {
  const NEW_PEM = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = (pem: string) =>
    createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' }).toString();

  it('when the key is rotated, then the new key signs and tokens of the old one still verify', async () => {
    const before = issuer(ED25519_PEM);
    const oldToken = await before.sign({ sub: 'user-old', sid: 'family-old' });

    const after = issuer(NEW_PEM, { verifyOnly: [publicPem(ED25519_PEM)] });
    expect(after.kid).not.toBe(before.kid);
    const newToken = await after.sign({ sub: 'user-new', sid: 'family-new' });
    expect(decodeProtectedHeader(newToken).kid).toBe(after.kid);
    await expect(after.verify(oldToken)).resolves.toEqual({ sub: 'user-old', sid: 'family-old' });
    await expect(after.verify(newToken)).resolves.toEqual({ sub: 'user-new', sid: 'family-new' });
    // A node still on the old key alone does not accept the new key's tokens.
    expect(await rejectionCode(before, newToken)).toBe('INVALID_TOKEN');
  });

  it('when the old key is dropped from the set, then its tokens are refused', async () => {
    const oldToken = await issuer(ED25519_PEM).sign({ sub: 'u', sid: 's' });
    expect(await rejectionCode(issuer(NEW_PEM), oldToken)).toBe('INVALID_TOKEN');
  });

  it('when a verify-only key signs a token naming the current kid, then it is refused (the kid picks the key)', async () => {
    const after = issuer(NEW_PEM, { verifyOnly: [publicPem(ED25519_PEM)] });
    const token = await forge(createPrivateKey(ED25519_PEM), after.kid, {});
    expect(await rejectionCode(after, token)).toBe('INVALID_TOKEN');
  });

  it('when the previous key is P-256, then its ES256 tokens verify beside the Ed25519 signer', async () => {
    const oldToken = await issuer(P256_PEM).sign({ sub: 'u', sid: 's' });
    const after = issuer(NEW_PEM, { verifyOnly: [publicPem(P256_PEM)] });
    await expect(after.verify(oldToken)).resolves.toEqual({ sub: 'u', sid: 's' });
  });

  it('when the JWKS is published after a rotation, then it lists every key of the set, public parts only', async () => {
    const before = issuer(ED25519_PEM);
    const after = issuer(NEW_PEM, { verifyOnly: [publicPem(ED25519_PEM), publicPem(P256_PEM), publicPem(NEW_PEM)] });
    const { keys } = await after.jwks();
    expect(keys.map((key) => key.kid)).toEqual([after.kid, before.kid, issuer(P256_PEM).kid]);
    expect(keys.map((key) => key.alg)).toEqual(['EdDSA', 'EdDSA', 'ES256']);
    for (const key of keys) {
      expect(key).not.toHaveProperty('d');
      expect(key.use).toBe('sig');
    }
  });

  it('when a verify-only key is RSA, then the issuer refuses it naming JWT_PREVIOUS_PUBLIC_KEYS', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => issuer(NEW_PEM, { verifyOnly: [rsa.toString()] })).toThrow(/JWT_PREVIOUS_PUBLIC_KEYS/);
  });
});

describe('development signing key', () => {
  it('when no key is configured, then one is generated into the data folder with mode 0600 and reused', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'keys', 'jwt-signing-key.pem');
    const first = issuer(null, { dataDir });
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o077).toBe(0);
    const pem = fs.readFileSync(file, 'utf8');
    expect(pem).toContain('PRIVATE KEY');

    const second = issuer(null, { dataDir });
    expect(second.kid).toBe(first.kid);
    expect(fs.readFileSync(file, 'utf8')).toBe(pem);
    // A token from before a restart still verifies after it.
    await expect(second.verify(await first.sign({ sub: 'u', sid: 's' }))).resolves.toEqual({ sub: 'u', sid: 's' });
  });

  it('when two data folders are used, then each gets its own key', () => {
    expect(issuer(null, { dataDir: tempDir() }).kid).not.toBe(issuer(null, { dataDir: tempDir() }).kid);
  });

  it('when a key is configured, then nothing is written to the data folder', () => {
    const dataDir = tempDir();
    issuer(ED25519_PEM, { dataDir });
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
