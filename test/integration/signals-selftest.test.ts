// The signals strategy never signals its caller: a writer that is also a registered reader thread
// must not wait for its own acknowledgement (a signal fallback deadlocked that way:
// JuliaLang/julia#63246). The self-test makes the calling thread the only reader and issues a
// barrier: it must return 0 at once, not ETIMEDOUT after the acknowledgement deadline.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadNative } from '../../probe/native.js';

test('a writer that is also a registered reader does not deadlock', () => {
  const n = loadNative();
  if (!n.ok) return assert.unreachable(n.reason);
  const t0 = performance.now();
  assert.is(n.addon.signalsSelfTest(), 0);
  assert.ok(performance.now() - t0 < 100, `took ${(performance.now() - t0).toFixed(1)} ms`);
});

test.run();
