import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBusFrame, encodeBusFrame } from '../src/cluster/bus-frame.js';
import { missedEnds } from '../src/cluster/missed-departures.js';

// Which logged frames a node delivers after missing some (`missed-departures.ts`).

const presence = (payload: string) => encodeBusFrame({ kind: 'broadcast', node: 'A', except: '', droppable: false, member: true, payload });
const stream = (payload: string) => encodeBusFrame({ kind: 'broadcast', node: 'A', except: '', droppable: false, member: false, stream: true, payload });
const signal = (payload: string) => encodeBusFrame({ kind: 'broadcast', node: 'A', except: '', droppable: false, member: false, payload });

test('only the logged ends of what is gone, once each, unstamped, in log order', () => {
  const logged = [
    presence('{"vo":"A.1","type":"connectionCreated","connection":{"id":"x"}}'),
    signal('{"vo":"A.2","type":"signal","from":"x","data":"connectionDestroyed"}'),
    presence('{"vo":"A.3","type":"connectionDestroyed","connectionId":"x","reason":"clientDisconnected"}'),
    presence('{"vo":"A.4","type":"connectionDestroyed","connectionId":"x","reason":"again"}'),
    stream('{"vo":"A.5","type":"streamDestroyed","streamId":"s1","reason":"clientDisconnected"}'),
    presence('{"vo":"A.6","type":"connectionDestroyed","connectionId":"still-here","reason":"x"}'),
    'not a frame',
    presence('not json'),
  ];
  const found = missedEnds(logged, { members: new Set(['x', 'never-logged']), streams: new Set(['s1']) });
  assert.deepEqual(found.map((f) => f.ended), ['x', 's1']);
  const first = decodeBusFrame(found[0]?.frame ?? '');
  assert.ok(first?.kind === 'broadcast' && first.member);
  assert.equal(first.payload, '{"type":"connectionDestroyed","connectionId":"x","reason":"clientDisconnected"}', 'the first end, its stamp removed');
  assert.deepEqual(missedEnds(logged, { members: new Set(), streams: new Set() }), []);
});
