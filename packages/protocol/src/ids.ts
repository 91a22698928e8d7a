const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A random URL-path-safe id (`[A-Za-z0-9_-]`), 6 bits of entropy per character. The default of 22
 * characters carries 132 bits. Ids never encode a socket: a connection keeps its id across sockets.
 */
export function randomId(length = 22): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) {
    out += ALPHABET[byte & 63];
  }
  return out;
}

/** What a connection, stream or request id may look like on the wire. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
