// --redact on a recorded report: the host is no longer identifiable, the evidence is untouched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { redactReport } from '../../probe/redact.js';
import { localReport } from './fixtures.js';

const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');

test('hostname, container ids and local paths go; kernel, CPU and evidence stay', () => {
  const r = structuredClone(recorded);
  r.system.sandbox.container = {
    kind: 'docker',
    strength: 'strong',
    evidence: ['cgroup path 12:cpuset:/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d'],
  };
  r.commandLine = ['--out', '/home/alice/reports', '--format=/tmp/x'];
  const red = redactReport(r);
  const text = JSON.stringify(red);
  assert.not.ok(
    text.includes(recorded.system.platform.hostname === 'vm' ? '"hostname":"vm"' : recorded.system.platform.hostname),
  );
  assert.is(red.system.platform.hostname, 'redacted');
  assert.not.match(text, /2403ccfe427f/);
  assert.not.match(text, /alice/);
  assert.not.match(red.system.native.path ?? '', /work\/main/);
  assert.is(red.system.kernel.release, recorded.system.kernel.release);
  assert.equal(red.results, recorded.results);
  assert.equal(red.analysis, recorded.analysis);
  assert.is(recorded.system.platform.hostname, 'vm', 'the original is not modified');
});

test.run();
