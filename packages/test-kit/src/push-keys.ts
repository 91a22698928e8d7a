import { createECDH, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Throwaway credentials for the push tests, made fresh by each test: nothing secret is checked in.

/** An APNs provider key as Apple issues it (PKCS#8 P-256 PEM), with its public half for the fake. */
export function apnsTestKey(): { pem: string; publicKey: KeyObject; keyId: string; teamId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey, keyId: 'KEY1234567', teamId: 'TEAM123456' };
}

/** A Google service account key file (RSA), with its public half for the fake token endpoint. */
export function fcmTestServiceAccount(projectId = 'vigil-test', tokenUri = 'https://oauth2.googleapis.com/token') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const account = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    client_email: `vigil@${projectId}.iam.gserviceaccount.com`,
    client_id: '100000000000000000000',
    token_uri: tokenUri,
  };
  return { account, publicKey };
}

/** A VAPID key pair, base64url, as `web-push generate-vapid-keys` prints it. */
export function vapidTestKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey() drops leading zero bytes (1 key in 256); VAPID keys are always 32 bytes.
  const d = ecdh.getPrivateKey();
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: Buffer.concat([Buffer.alloc(32 - d.length), d]).toString('base64url') };
}

/** A random APNs device token (32 bytes, hex). */
export function apnsTestToken(): string {
  return randomBytes(32).toString('hex');
}

/** A random string shaped like an FCM registration token. */
export function fcmTestToken(): string {
  return `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(96).toString('base64url')}`;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost (or the names given, e.g. `DNS:localhost`
 * alone), made with the `openssl` command (Node has no certificate generator). `undefined` when
 * openssl is not installed: the fakes then speak cleartext (h2c for APNs), which the server's clients
 * accept for `http://` URLs.
 */
export function selfSignedCert(subjectAltName = 'IP:127.0.0.1,DNS:localhost'): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', `subjectAltName=${subjectAltName}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore', timeout: 10_000 },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
