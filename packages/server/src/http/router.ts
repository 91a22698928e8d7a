import type { IncomingMessage, ServerResponse } from 'node:http';
import { VigilError } from '@vigil/protocol';

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams, url: URL) => Promise<void> | void;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/**
 * A tiny path router: `/v2/project/:apiKey/session/:sessionId`. Parameters must be path-safe ids, so a
 * traversal attempt (`..`, `%2F`) never matches a route.
 */
export class Router {
  readonly #routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Finds the handler for a request; throws `METHOD_NOT_ALLOWED` when only the method is wrong. */
  match(method: string, pathname: string): { handler: RouteHandler; params: RouteParams } | undefined {
    // The OpenTok SDK turns a trailing slash in its base URL into `//v2/…` (P10): fold empty segments.
    const parts = pathname.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) {
        continue;
      }
      pathMatched = true;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
        return { handler: route.handler, params };
      }
    }
    if (pathMatched) {
      throw new VigilError('METHOD_NOT_ALLOWED');
    }
    return undefined;
  }
}

const PARAM_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

function matchSegments(pattern: string[], parts: string[]): RouteParams | undefined {
  if (pattern.length !== parts.length) {
    return undefined;
  }
  const params: RouteParams = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i] as string;
    const got = parts[i] as string;
    if (want.startsWith(':')) {
      if (!PARAM_PATTERN.test(got)) {
        return undefined;
      }
      params[want.slice(1)] = got;
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}
