// Access tokens: short-lived JWTs signed with an asymmetric key (EdDSA or ES256), `kid` in the
// header, verified against an explicit algorithm allow-list so `alg: none` and HMAC-with-the-
// public-key confusion are impossible. Development keeps one generated key in the data folder.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, jwtVerify, SignJWT, errors as joseErrors, type JWK } from 'jose';
import { UnauthenticatedError } from '../http/errors.js';

export interface AccessClaims {
  /** user id */
  sub: string;
  /** refresh-token family (the login session) this token was issued for */
  sid: string;
}

export interface AccessTokenIssuer {
  readonly kid: string;
  readonly ttlSeconds: number;
  sign(claims: AccessClaims): Promise<string>;
  verify(token: string): Promise<AccessClaims>;
  jwks(): Promise<{ keys: JWK[] }>;
}

export interface TokenOptions {
  privateKeyPem: string | null;
  dataDir: string;
  issuer: string;
  ttlSeconds: number;
}

const AUDIENCE = 'brigade-api';

function loadOrCreateDevKey(dataDir: string): string {
  const file = path.join(dataDir, 'keys', 'jwt-signing-key.pem');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // 'wx' fails if another process created the key first; then we use theirs.
  try {
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch {
    return fs.readFileSync(file, 'utf8');
  }
  return pem;
}

function algorithmOf(key: KeyObject): 'EdDSA' | 'ES256' {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('JWT_PRIVATE_KEY must be an Ed25519 or P-256 (prime256v1) private key');
}

export function createAccessTokenIssuer(options: TokenOptions): AccessTokenIssuer {
  const pem = options.privateKeyPem ?? loadOrCreateDevKey(options.dataDir);
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const alg = algorithmOf(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // The key id is a fingerprint of the public key, so rotating the key rotates the kid.
  const kid = createHash('sha256').update(spki).digest('base64url').slice(0, 16);

  return {
    kid,
    ttlSeconds: options.ttlSeconds,
    async sign(claims) {
      return new SignJWT({ sid: claims.sid })
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer(options.issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(privateKey);
    },
    async verify(token) {
      try {
        const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
          algorithms: [alg],
          issuer: options.issuer,
          audience: AUDIENCE,
          typ: 'JWT',
        });
        if (protectedHeader.kid !== kid)
          throw new UnauthenticatedError('The access token was signed with an unknown key.', 'INVALID_TOKEN');
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
          throw new UnauthenticatedError('The access token is malformed.', 'INVALID_TOKEN');
        }
        return { sub: payload.sub, sid: payload.sid };
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        if (error instanceof joseErrors.JWTExpired)
          throw new UnauthenticatedError('The access token has expired; refresh it.', 'TOKEN_EXPIRED');
        throw new UnauthenticatedError('The access token is not valid.', 'INVALID_TOKEN');
      }
    },
    async jwks() {
      const jwk = await exportJWK(publicKey);
      return { keys: [{ ...jwk, kid, alg, use: 'sig' }] };
    },
  };
}
