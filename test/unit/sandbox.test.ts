import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { detectSandbox, type SandboxInputs } from '../../probe/inspect/sandbox.js';
import { localFixture, devFixture } from './fixtures.js';

const none: SandboxInputs = {
  dockerenv: false,
  containerenv: false,
  systemdContainer: null,
  pid1Container: null,
  cgroup: null,
  procVersion: null,
  wslInterop: false,
  env: {},
};

test('docker cgroup v1 (ctrsploit issue capture): docker, strong', () => {
  // fixture: test/fixtures/docker-cgroupv1-hybrid-ctrsploit (ctrsploit/ctrsploit issue #280)
  const r = detectSandbox({ ...none, cgroup: localFixture('docker-cgroupv1-hybrid-ctrsploit', 'cgroup') });
  assert.equal(r.container, {
    kind: 'docker',
    strength: 'strong',
    evidence: [
      'cgroup path 12:net_cls,net_prio:/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d',
    ],
  });
  assert.is(r.gvisor, false);
  assert.is(r.wsl, null);
  assert.equal(r.evidence, []);
});

test('docker cgroup v1 (raptiformica PR capture) plus /.dockerenv: docker, strong', () => {
  // fixture: test/fixtures/docker-cgroupv1-hybrid-raptiformica (vdloo/raptiformica PR #287)
  const r = detectSandbox({
    ...none,
    dockerenv: true,
    cgroup: localFixture('docker-cgroupv1-hybrid-raptiformica', 'cgroup'),
  });
  assert.ok(r.container);
  assert.is(r.container.kind, 'docker');
  assert.is(r.container.strength, 'strong');
  assert.equal(r.container.evidence, [
    'cgroup path 11:memory:/docker/98b476fc486aa7bac605b96724646ce0f192db5d2d8e38be1a8d7bd5f2c95eff',
  ]);
});

test('/.dockerenv alone is weak evidence', () => {
  const r = detectSandbox({ ...none, dockerenv: true });
  assert.equal(r.container, {
    kind: 'docker',
    strength: 'weak',
    evidence: ['/.dockerenv exists (images carry it into VMs too)'],
  });
});

test('a host-side docker.service cgroup alone is not a container', () => {
  // The last line of the raptiformica capture, on its own (a process in the host's docker.service).
  assert.is(detectSandbox({ ...none, cgroup: '0::/system.slice/docker.service' }).container, null);
  assert.is(detectSandbox({ ...none, cgroup: '0::/' }).container, null);
});

test('other container markers', () => {
  assert.equal(detectSandbox({ ...none, pid1Container: 'podman' }).container?.kind, 'podman');
  assert.equal(detectSandbox({ ...none, containerenv: true }).container?.kind, 'podman');
  assert.equal(detectSandbox({ ...none, systemdContainer: 'lxc' }).container, {
    kind: 'lxc',
    strength: 'strong',
    evidence: ['/run/systemd/container says lxc'],
  });
  assert.equal(
    detectSandbox({ ...none, cgroup: '0::/kubepods/besteffort/pod1234/abcd' }).container?.kind,
    'kubernetes',
  );
});

test('no markers: nothing detected', () => {
  assert.equal(detectSandbox(none), { container: null, gvisor: false, wsl: null, evidence: [] });
});

test("shared fixtures' /proc/version: neither gVisor nor WSL", () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const amd = detectSandbox({ ...none, procVersion: devFixture('kvm-amd-epyc-2vcpu', 'version').trim() });
  assert.is(amd.gvisor, false);
  assert.is(amd.wsl, null);
  assert.is(amd.container, null);
  assert.equal(amd.evidence, []);
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const intel = detectSandbox({ ...none, procVersion: devFixture('kvm-intel-xeon-2vcpu', 'version').trim() });
  assert.is(intel.gvisor, false);
  assert.is(intel.wsl, null);
});

test('WSL1 and WSL2 /proc/version strings', () => {
  // Hand-made in the shape of WSL1's emulated kernel string (release 4.4.0-19041-Microsoft).
  const wsl1 = detectSandbox({
    ...none,
    procVersion:
      'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #488-Microsoft Mon ' +
      'Sep 01 13:43:00 PST 2020',
  });
  assert.is(wsl1.wsl, 'wsl1');
  assert.is(wsl1.gvisor, false);
  assert.equal(wsl1.evidence, ['WSL: /proc/version names Microsoft']);
  // WSL2's real kernel: release ends in -microsoft-standard-WSL2.
  const wsl2 = detectSandbox({
    ...none,
    procVersion:
      'Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 11.2.0, GNU ld (GNU ' +
      'Binutils) 2.37) #1 SMP Fri Mar 29 23:14:13 UTC 2024',
  });
  assert.is(wsl2.wsl, 'wsl2');
  // Early WSL2 kernels: "-microsoft-standard" without the WSL2 suffix.
  assert.is(
    detectSandbox({ ...none, procVersion: 'Linux version 4.19.128-microsoft-standard (oe-user@oe-host) #1 SMP' }).wsl,
    'wsl2',
  );
  // A custom WSL2 kernel without Microsoft in the string is still found through interop or the env.
  assert.is(detectSandbox({ ...none, procVersion: 'Linux version 6.6.0 (me@host)', wslInterop: true }).wsl, 'wsl2');
  const byEnv = detectSandbox({ ...none, env: { WSL_DISTRO_NAME: 'Ubuntu' } });
  assert.is(byEnv.wsl, 'wsl2');
  assert.equal(byEnv.evidence, ['WSL: WSL interop or WSL_DISTRO_NAME present']);
});

test("gVisor's fixed /proc/version", () => {
  const r = detectSandbox({ ...none, procVersion: 'Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016' });
  assert.is(r.gvisor, true);
  assert.is(r.wsl, null);
  assert.equal(r.evidence, ["/proc/version is gVisor's fixed 4.4.0 string"]);
});

test.run();
