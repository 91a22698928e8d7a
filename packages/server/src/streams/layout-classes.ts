import { LayoutClassLimits, VigilError } from '@vigil/protocol';
import type { Session } from '../session-registry.js';
import type { ServerStream } from './server-stream.js';
import type { StreamService } from './stream-service.js';
import { announceProperty } from './stream-updates.js';

const CLASS_NAME = new RegExp(LayoutClassLimits.classPattern);

/**
 * Why a class list breaks `LayoutClassLimits`, or `undefined` when it is fine. The schema already
 * bounds each name and the count; this adds what a schema cannot say (the joined length).
 */
export function layoutClassListProblem(list: readonly string[]): string | undefined {
  if (list.length > LayoutClassLimits.maxClasses) {
    return `at most ${LayoutClassLimits.maxClasses} classes per stream`;
  }
  const bad = list.find((name) => name.length === 0 || name.length > LayoutClassLimits.maxClassLength || !CLASS_NAME.test(name));
  if (bad !== undefined) {
    return `class ${JSON.stringify(bad.slice(0, 70))} is not 1-${LayoutClassLimits.maxClassLength} letters, digits, "-" or "_"`;
  }
  if (list.join(' ').length > LayoutClassLimits.maxTotalLength) {
    return `the classes of a stream may take at most ${LayoutClassLimits.maxTotalLength} characters joined with spaces`;
  }
  return undefined;
}

/**
 * OpenTok's `setStreamClassLists`: replaces the class list of each named stream. All or nothing: every
 * list is checked and every stream looked up before anything changes. Each stream whose list really
 * changed is announced once to everyone (`streamPropertyChanged`, property and reason
 * `layoutClassList`); later entries for the same stream win. Returns the streams named, in order.
 */
export function setLayoutClassLists(
  service: StreamService,
  session: Session,
  items: readonly { id: string; layoutClassList: readonly string[] }[],
): ServerStream[] {
  const targets: ServerStream[] = [];
  for (const [index, item] of items.entries()) {
    const problem = layoutClassListProblem(item.layoutClassList);
    if (problem !== undefined) {
      throw new VigilError('LAYOUT_CLASS_LIST_INVALID', `items/${index}: ${problem}.`);
    }
    const stream = session.streams.get(item.id);
    // A routed stream still negotiating is not visible to anyone yet, so it is not there for REST either.
    if (!stream?.live) {
      throw new VigilError('LAYOUT_STREAM_NOT_FOUND', `items/${index}: no stream ${JSON.stringify(item.id.slice(0, 80))} is published in this session; nothing was changed.`);
    }
    targets.push(stream);
  }
  for (const [index, stream] of targets.entries()) {
    const next = [...(items[index]?.layoutClassList ?? [])];
    const old = stream.layoutClassList;
    if (old.length === next.length && old.every((name, i) => name === next[i])) {
      continue;
    }
    stream.layoutClassList = next;
    announceProperty(service, session, stream, 'layoutClassList', [...old], [...next], 'layoutClassList');
  }
  return targets;
}
