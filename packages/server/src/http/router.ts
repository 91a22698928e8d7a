import type { IncomingMessage, ServerResponse } from 'node:http';
import { VigilError } from '@vigil/protocol';
import type { RouteDoc } from './route-doc.js';

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams, url: URL) => Promise<void> | void;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: RouteHandler;
  doc: RouteDoc | undefined;
}

/** A registered route as the OpenAPI document sees it. */
export interface RouteInfo {
  readonly method: string;
  /** As registered, e.g. `/v2/project/:apiKey/session/:sessionId/signal`. */
  readonly pattern: string;
  readonly doc: RouteDoc | undefined;
}

/**
 * A tiny path router: `/v2/project/:apiKey/session/:sessionId`. Parameters must be path-safe ids, so a
 * traversal attempt (`..`, `%2F`) never matches a route.
 */
export class Router {
  readonly #routes: Route[] = [];

  /** `doc` describes the route in `GET /v1/openapi.json`; routes without one are listed bare. */
  add(method: string, pattern: string, handler: RouteHandler, doc?: RouteDoc): this {
    this.#routes.push({ method, pattern, segments: pattern.split('/').filter(Boolean), handler, doc });
    return this;
  }

  /** Every registered route, in registration order (read-only; for the OpenAPI document and its test). */
  routes(): RouteInfo[] {
    return this.#routes.map(({ method, pattern, doc }) => ({ method, pattern, doc }));
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
