// Access tokens: short-lived JWTs signed with an asymmetric key (EdDSA or ES256), `kid` in the
// header, verified against an explicit algorithm allow-list so `alg: none` and HMAC-with-the-
// public-key confusion are impossible. The verifier requires `sub`, `iss`, `aud`, `iat` and `exp`:
// a token lacking any of them is refused, whoever signed it.
//
// Keys are a key set: one signing key (JWT_PRIVATE_KEY) and any number of verify-only public keys
// (JWT_PREVIOUS_PUBLIC_KEYS), each known by its `kid` (a fingerprint of the public key). After a
// rotation the new key signs and the old one keeps verifying the tokens it signed until they
// expire; GET /.well-known/jwks.json publishes every public key of the set. Development keeps one
// generated key in the data folder.
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
  /** Verify-only keys (PEM, public or private: only the public half is kept), e.g. the key before a rotation. */
  verifyOnlyKeysPem?: readonly string[];
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

type Algorithm = 'EdDSA' | 'ES256';

function algorithmOf(key: KeyObject, variable: string): Algorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`${variable} must hold Ed25519 or P-256 (prime256v1) keys`);
}

interface VerificationKey {
  kid: string;
  alg: Algorithm;
  publicKey: KeyObject;
}

/** The key id: a fingerprint of the public key, so rotating the key rotates the kid. */
export function keyIdOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64url').slice(0, 16);
}

function verificationKey(publicKey: KeyObject, variable: string): VerificationKey {
  return { kid: keyIdOf(publicKey), alg: algorithmOf(publicKey, variable), publicKey };
}

/** The claims every access token must carry; jose refuses a token missing any of them. */
const REQUIRED_CLAIMS = ['sub', 'iss', 'aud', 'iat', 'exp'];

export function createAccessTokenIssuer(options: TokenOptions): AccessTokenIssuer {
  const pem = options.privateKeyPem ?? loadOrCreateDevKey(options.dataDir);
  const privateKey = createPrivateKey(pem);
  const signing = verificationKey(createPublicKey(privateKey), 'JWT_PRIVATE_KEY');
  const { kid, alg } = signing;
  // The signing key first; a verify-only key equal to it (left over after a rotation) is not repeated.
  const keys = new Map<string, VerificationKey>([[kid, signing]]);
  for (const verifyOnly of options.verifyOnlyKeysPem ?? []) {
    const key = verificationKey(createPublicKey(verifyOnly), 'JWT_PREVIOUS_PUBLIC_KEYS');
    if (!keys.has(key.kid)) keys.set(key.kid, key);
  }

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
        const { payload } = await jwtVerify(
          token,
          (header) => {
            const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
            if (!key)
              throw new UnauthenticatedError('The access token was signed with an unknown key.', 'INVALID_TOKEN');
            return key.publicKey;
          },
          {
            // Each key verifies only with its own algorithm: the header's kid picks the key, and
            // the allow-list holds only the algorithms of the set's keys.
            algorithms: [...new Set([...keys.values()].map((key) => key.alg))],
            issuer: options.issuer,
            audience: AUDIENCE,
            typ: 'JWT',
            requiredClaims: REQUIRED_CLAIMS,
          },
        );
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
      return {
        keys: await Promise.all(
          [...keys.values()].map(async (key) => ({
            ...(await exportJWK(key.publicKey)),
            kid: key.kid,
            alg: key.alg,
            use: 'sig',
          })),
        ),
      };
    },
  };
}
