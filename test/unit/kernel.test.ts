import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCmdline, parseRelease, releaseFromVersion } from '../../probe/inspect/kernel.js';
import { devFixture } from './fixtures.js';

test('parseRelease: fixture uname -r', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  assert.equal(parseRelease(devFixture('kvm-amd-epyc-2vcpu', 'uname-r')), { major: 6, minor: 18, patch: 44 });
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  assert.equal(parseRelease(devFixture('kvm-intel-xeon-2vcpu', 'uname-r')), { major: 6, minor: 18, patch: 44 });
});

test('parseRelease: other shapes', () => {
  assert.equal(parseRelease('6.1-rc3'), { major: 6, minor: 1, patch: null });
  assert.equal(parseRelease('4.4.0-19041-Microsoft'), { major: 4, minor: 4, patch: 0 });
  assert.equal(parseRelease('5.15.153.1-microsoft-standard-WSL2'), { major: 5, minor: 15, patch: 153 });
  assert.equal(parseRelease('3.10.0-1160.el7.x86_64'), { major: 3, minor: 10, patch: 0 });
  assert.equal(parseRelease('garbage'), { major: null, minor: null, patch: null });
  assert.equal(parseRelease(''), { major: null, minor: null, patch: null });
  assert.equal(parseRelease('v6.1'), { major: null, minor: null, patch: null });
});

test('releaseFromVersion: /proc/version gives the same release as uname -r', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const amd = releaseFromVersion(devFixture('kvm-amd-epyc-2vcpu', 'version'));
  assert.is(amd, devFixture('kvm-amd-epyc-2vcpu', 'uname-r').trim());
  assert.is(amd, '6.18.44-fc-v782');
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const intel = releaseFromVersion(devFixture('kvm-intel-xeon-2vcpu', 'version'));
  assert.is(intel, devFixture('kvm-intel-xeon-2vcpu', 'uname-r').trim());
  assert.is(intel, '6.18.44-fc-v669');
  assert.is(releaseFromVersion('not a version line'), null);
  assert.is(releaseFromVersion(''), null);
});

test('parseCmdline: AMD fixture', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const p = parseCmdline(devFixture('kvm-amd-epyc-2vcpu', 'cmdline'));
  assert.equal(
    [...p.keys()],
    [
      'mitigations',
      'console',
      'quiet',
      'reboot',
      'panic',
      'nomodule',
      'random.trust_cpu',
      'swiotlb',
      'psi',
      'nvproxy.enable',
      'page_reporting.page_reporting_order',
      'deferred_init',
      'nested_pvm',
      'rcupdate.rcu_cpu_stall_cputime',
      'sched_vcpu_pack',
    ],
  );
  assert.is(p.get('mitigations'), 'auto,no_guest_host,no_guest_guest');
  assert.is(p.get('console'), 'ttyS0');
  assert.is(p.get('quiet'), '');
  assert.is(p.get('page_reporting.page_reporting_order'), '11');
  assert.is(p.get('sched_vcpu_pack'), '15');
  assert.is(p.get('nohz_full'), undefined);
  assert.is(p.get('isolcpus'), undefined);
});

test('parseCmdline: Intel fixture', () => {
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const p = parseCmdline(devFixture('kvm-intel-xeon-2vcpu', 'cmdline'));
  assert.is(p.size, 17);
  assert.is(p.get('cpuidle_haltpoll.force'), '1');
  assert.is(p.get('haltpoll.guest_halt_poll_ns'), '0');
  assert.is(p.get('reboot'), 'k');
  assert.is(p.get('rcu_nocbs'), undefined);
});

test('parseCmdline: quoted values, repeated keys, "--"', () => {
  const p = parseCmdline(
    'dyndbg="file foo.c +p" nohz_full=2-3 isolcpus=1 isolcpus=domain,2-3 -- init_arg=1 nohz_full=0\n',
  );
  assert.is(p.get('dyndbg'), 'file foo.c +p');
  assert.is(p.get('nohz_full'), '2-3');
  assert.is(p.get('isolcpus'), 'domain,2-3');
  assert.is(p.has('init_arg'), false);
  assert.is(p.has('--'), false);
  assert.is(p.size, 3);
  // A wholly quoted parameter: the kernel strips the outer quotes (kernel/params.c next_arg).
  const q = parseCmdline('"acpi_osi=!Windows 2012" rcu_nocbs=1-3');
  assert.is(q.get('acpi_osi'), '!Windows 2012');
  assert.is(q.get('rcu_nocbs'), '1-3');
  assert.is(parseCmdline('').size, 0);
  assert.is(parseCmdline('   \n').size, 0);
});

test.run();
