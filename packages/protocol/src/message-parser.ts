import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { ClientMessageSchemas, type ClientMessage, type ClientMessageType } from './messages/client-messages.js';
import { VigilError } from './vigil-error.js';

// One compiled checker per message type: a union checker would only say "expected union value".
const checkers = Object.fromEntries(
  Object.entries(ClientMessageSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema as TSchema)]),
) as Record<ClientMessageType, TypeCheck<TSchema>>;

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; error: VigilError; id?: number };

/**
 * Parses and validates one inbound text frame. Never throws: every failure comes back as a
 * `VigilError` with the request id when one could be read, so the sender can match the error.
 */
export function parseClientMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: new VigilError('MESSAGE_MALFORMED') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: new VigilError('MESSAGE_INVALID', 'A message must be a JSON object.') };
  }
  const record = value as Record<string, unknown>;
  const id = Number.isInteger(record['id']) && (record['id'] as number) > 0 ? (record['id'] as number) : undefined;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.hasOwn(checkers, type)) {
    return withId({ ok: false, error: new VigilError('MESSAGE_UNKNOWN_TYPE', describeType(type)) }, id);
  }
  const checker = checkers[type as ClientMessageType];
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    const where = first ? `${first.path || '/'}: ${first.message}` : 'schema mismatch';
    return withId({ ok: false, error: new VigilError('MESSAGE_INVALID', `Invalid ${type} message at ${where}.`) }, id);
  }
  return { ok: true, message: value as ClientMessage };
}

function withId(result: { ok: false; error: VigilError }, id: number | undefined): ParseResult {
  return id === undefined ? result : { ...result, id };
}

function describeType(type: unknown): string {
  if (typeof type !== 'string') {
    return 'A message needs a string "type".';
  }
  return `Unknown message type "${type.slice(0, 40)}".`;
}
