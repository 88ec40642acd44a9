// The gate's call budget (run/gate.ts): the number of on-CPU calls is the least that meets the
// verdict rule's bound, and only a first pass short of calls with nothing against it is redone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower95 } from '../../probe/analyse/stats.js';
import { MIN_SHARE_LOWER95 } from '../../probe/analyse/verdicts.js';
import {
  GATE_CALLS,
  MIN_ON_CPU_SHARE,
  ON_CPU_CALLS_NEEDED,
  secondPassCalls,
  shortOfCalls,
} from '../../probe/run/gate.js';
import type { StrategyEvidence } from '../../probe/records.js';

function evidence(
  onCpu: number,
  interrupted: number,
  writerTrials = GATE_CALLS,
  violations = 0,
  status: StrategyEvidence['status'] = 'ok',
): StrategyEvidence {
  const share = onCpu ? interrupted / onCpu : null;
  return {
    status,
    sb: {
      trials: writerTrials,
      writerTrials,
      violations,
      histogram: { '00': violations, '01': 0, '10': 0, '11': 0 },
      perReader: [],
    },
    mechanism: {
      interruptedShare: share,
      onCpuCalls: onCpu,
      perReader: [{ cpu: 1, interruptedShare: share, onCpuCalls: onCpu }],
    },
  } as unknown as StrategyEvidence;
}

test('the calls needed are the least whose no-miss bound meets the rule', () => {
  assert.is(ON_CPU_CALLS_NEEDED, 299);
  assert.ok(lower95(ON_CPU_CALLS_NEEDED, ON_CPU_CALLS_NEEDED)! >= MIN_SHARE_LOWER95);
  assert.ok(lower95(ON_CPU_CALLS_NEEDED - 1, ON_CPU_CALLS_NEEDED - 1)! < MIN_SHARE_LOWER95);
});

test('only a clean pass short of calls is measured again', () => {
  assert.ok(shortOfCalls(evidence(200, 200)));
  assert.not.ok(shortOfCalls(evidence(299, 299)), 'enough calls');
  assert.not.ok(shortOfCalls(evidence(200, 199)), 'a miss stands');
  assert.not.ok(shortOfCalls(evidence(200, 200, GATE_CALLS, 1)), 'an SB violation stands');
  assert.not.ok(shortOfCalls(evidence(200, 200, GATE_CALLS, 0, 'timeout')), 'a failed phase stands');
  assert.ok(shortOfCalls(evidence(0, 0)), 'no on-CPU call at all (a starved machine): measured again');
  assert.is(secondPassCalls(evidence(0, 0)), Math.ceil(598 / MIN_ON_CPU_SHARE));
});

test('a second pass plans for twice the calls needed at the share the first saw, at least 1%', () => {
  // 200 of 4,800 calls on-CPU: 598 on-CPU calls need 14,352 calls.
  assert.is(secondPassCalls(evidence(200, 200)), Math.ceil(598 / (200 / GATE_CALLS)));
  assert.is(secondPassCalls(evidence(1, 1, 1e6)), Math.ceil(598 / MIN_ON_CPU_SHARE));
});

test.run();
