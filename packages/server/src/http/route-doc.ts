import type { TSchema } from '@sinclair/typebox';

/** One documented response of a route. */
export interface ResponseDoc {
  description: string;
  /** The body's schema; absent for bodiless answers such as 204. */
  schema?: TSchema;
  /** Defaults to `application/json`. */
  contentType?: string;
}

/**
 * What `GET /v1/openapi.json` says about a route. Declared beside the handler that uses the same
 * schemas to validate, so the document cannot drift from what the server accepts.
 */
export interface RouteDoc {
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  /** `project`: an `X-OPENTOK-AUTH` project JWT whose `iss` is the path's API key. */
  auth: 'project' | 'none';
  /** The official `opentok` Node SDK call(s) that reach this route, if any. */
  sdkMethods?: readonly string[];
  body?: { schema: TSchema; contentType?: string; required?: boolean };
  /** Keyed by HTTP status. Every route also answers errors as `{code, message}`. */
  responses: Readonly<Record<number, ResponseDoc>>;
}
