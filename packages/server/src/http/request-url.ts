import type { IncomingMessage } from 'node:http';
import { VigilError } from '@vigil/protocol';

const BASE = 'http://vigil.invalid';

/**
 * The request's URL, with the path kept as sent. `new URL(req.url, base)` would read `//v2/project/…`
 * (what the OpenTok SDK sends when its base URL ends in `/`, P10) as a host named `v2`; prefixing the
 * origin as text keeps the doubled slash in the path, where the router folds it.
 */
export function requestUrl(req: IncomingMessage): URL {
  const raw = req.url ?? '/';
  if (!raw.startsWith('/')) {
    // Absolute-form (proxy) or `*` targets: nothing here serves them.
    throw new VigilError('NOT_FOUND');
  }
  try {
    return new URL(BASE + raw);
  } catch {
    throw new VigilError('REQUEST_INVALID', 'The request target is not a valid URL path.');
  }
}
