import { VigilError } from '@vigil/protocol';

/**
 * A browser cannot see the HTTP status of a refused WebSocket upgrade, so after a failed connect the
 * SDK asks the server why, with the same query (token, or resume credentials). An unreachable server
 * is `CONNECT_FAILED`.
 */
export async function explainRefusal(baseUrl: string, query: Record<string, string>): Promise<VigilError> {
  try {
    const response = await fetch(`${baseUrl}/v1/connect-check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(query),
    });
    if (response.ok) {
      // In a deployment, the answer may name the node that serves the session (a routed session):
      // the upgrade, through the load balancer, may have reached another one.
      const body = (await response.json().catch(() => ({}))) as { redirect?: unknown };
      const redirect = typeof body.redirect === 'string' ? { redirect: body.redirect } : undefined;
      return new VigilError('CONNECT_FAILED', 'The server accepted the request but the WebSocket could not open.', redirect);
    }
    return VigilError.fromWire((await response.json()) as { code?: unknown; message?: unknown });
  } catch (cause) {
    return new VigilError('CONNECT_FAILED', undefined, { cause });
  }
}
