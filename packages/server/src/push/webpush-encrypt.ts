import { createCipheriv, createECDH, createHmac, randomBytes } from 'node:crypto';

/** RFC 8188 record size announced in the header; one record carries the whole message. */
const RECORD_SIZE = 4096;
/** salt(16) + rs(4) + idlen(1) + keyid(65) */
const HEADER_BYTES = 86;
const TAG_BYTES = 16;
/** The largest plaintext that keeps the whole body within 4 096 bytes (what push services accept). */
export const MAX_WEBPUSH_PLAINTEXT = RECORD_SIZE - HEADER_BYTES - TAG_BYTES - 1;

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * Encrypts a Web Push message (RFC 8291, `Content-Encoding: aes128gcm`) for a subscription's
 * `p256dh` (the browser's P-256 public key) and `auth` secret. A fresh sender key pair and salt per
 * message; `random` is injectable only so tests can check against RFC 8291's worked example.
 */
export function encryptWebPush(
  plaintext: Buffer,
  uaPublicKey: Buffer,
  authSecret: Buffer,
  random: { salt?: Buffer; senderPrivateKey?: Buffer } = {},
): Buffer {
  if (plaintext.length > MAX_WEBPUSH_PLAINTEXT) {
    throw new RangeError(`Web Push payload is ${plaintext.length} bytes; at most ${MAX_WEBPUSH_PLAINTEXT}`);
  }
  const sender = createECDH('prime256v1');
  if (random.senderPrivateKey) {
    sender.setPrivateKey(random.senderPrivateKey);
  } else {
    sender.generateKeys();
  }
  const asPublic = sender.getPublicKey();
  const ecdhSecret = sender.computeSecret(uaPublicKey);
  // §3.3: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" ‖ 0x00 ‖ ua_public ‖ as_public, 32)
  const prkKey = hmac(authSecret, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublicKey, asPublic, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  // RFC 8188 §2.2: CEK and nonce from HKDF(salt, IKM).
  const salt = random.salt ?? randomBytes(16);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  // One record, so it is the last: the padding delimiter is 0x02 and no padding follows.
  const encrypted = Buffer.concat([cipher.update(Buffer.concat([plaintext, Buffer.from([2])])), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.alloc(HEADER_BYTES);
  salt.copy(header, 0);
  header.writeUInt32BE(RECORD_SIZE, 16);
  header.writeUInt8(asPublic.length, 20);
  asPublic.copy(header, 21);
  return Buffer.concat([header, encrypted]);
}
