import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selfSignedCert } from './push-keys.js';

/** An ACL user's credentials. */
export interface RedisAuth {
  username: string;
  password: string;
}

/** What a test needs to reach a secure Redis: the certificate to trust (PEM, and its file) and the user. */
export interface SecureRedis extends RedisAuth {
  ca: string;
  caFile: string;
}

/**
 * A Redis set up like a managed one: TLS with a fresh self-signed certificate (written to `dir`;
 * clients need not show one), and a single ACL user `vigil` with a random password, `default` switched
 * off. `args` are the `redis-server` flags, less the TLS port. With `hostnameOnly` the certificate names
 * `localhost` and no address, as managed services' certificates name hosts: a client must then connect
 * by name.
 */
export function secureRedis(dir: string, options: { hostnameOnly?: boolean } = {}): { args: string[]; secure: SecureRedis } {
  const cert = selfSignedCert(options.hostnameOnly ? 'DNS:localhost' : undefined);
  if (!cert) {
    throw new Error('a secure Redis needs openssl to make its certificate; install it with: apt-get install -y openssl');
  }
  const caFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(caFile, cert.cert);
  writeFileSync(keyFile, cert.key, { mode: 0o600 });
  const username = 'vigil';
  const password = randomBytes(12).toString('hex');
  const args = [
    '--tls-cert-file', caFile, '--tls-key-file', keyFile, '--tls-ca-cert-file', caFile, '--tls-auth-clients', 'no',
    // Each word its own argument: redis-server quotes an argument that holds a space.
    '--user', username, 'on', `>${password}`, '~*', '&*', '+@all',
    '--user', 'default', 'off',
  ];
  return { args, secure: { ca: cert.cert, caFile, username, password } };
}
