// Environment-trap parsers on captured and documented inputs (test/fixtures/traps/README.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  archFamily,
  cpuCgroupDir,
  cpuinfoFamily,
  detectAndroid,
  detectEmulation,
  isFreebsdLinuxulator,
  parseCfs,
  parseCgroupMounts,
  parseCpuMax,
  parseProcCgroup,
} from '../../probe/inspect/traps.js';
import { localFixture, devFixture } from './fixtures.js';

const t = (f: string) => localFixture('traps', f);

test('/proc/self/cgroup (captured v1 hybrid): v2 path and the cpu controller', () => {
  const cg = parseProcCgroup(t('proc-self-cgroup-v1-hybrid'));
  assert.is(cg.v2, '/');
  assert.is(cg.v1.get('cpu'), '/');
  assert.is(cg.v1.get('memory')?.startsWith('/process_api/'), true);
});

test('/proc/1/cgroup of a Docker container (published): cpuset path, v2 line kept', () => {
  const cg = parseProcCgroup(localFixture('docker-cgroupv1-hybrid-ctrsploit', 'cgroup'));
  assert.match(cg.v1.get('cpuset')!, /^\/docker\/2403ccfe/);
  assert.is(cg.v2, '/system.slice/containerd.service');
});

test('mountinfo: cgroup rows with root, mount point and super options', () => {
  const m = parseCgroupMounts(t('mountinfo-v1-hybrid'));
  const cpu = m.find((r) => r.mountPoint === '/sys/fs/cgroup/cpu');
  assert.equal(cpu && { root: cpu.root, fstype: cpu.fstype, cpu: cpu.superOptions.includes('cpu') }, {
    root: '/',
    fstype: 'cgroup',
    cpu: true,
  });
});

test('cpu cgroup dir: v1 cpu mount wins on a hybrid host', () => {
  assert.equal(cpuCgroupDir(t('proc-self-cgroup-v1-hybrid'), t('mountinfo-v1-hybrid')), {
    dir: '/sys/fs/cgroup/cpu',
    mountPoint: '/sys/fs/cgroup/cpu',
    version: 1,
  });
});

test('cpu cgroup dir: v2 inside a cgroup namespace is relative to the mount root', () => {
  const r = cpuCgroupDir('0::/kubepods/pod1/ctr\n', t('mountinfo-v2-namespaced'));
  assert.equal(r, { dir: '/sys/fs/cgroup/ctr', mountPoint: '/sys/fs/cgroup', version: 2 });
  assert.is(
    cpuCgroupDir('0::/elsewhere\n', t('mountinfo-v2-namespaced')),
    null,
    'a path outside the mount root is not guessed',
  );
});

test('cpu.max (documented forms) and the v1 CFS pair', () => {
  assert.equal(parseCpuMax(t('cpu-max-limited')), { quotaUs: 20000, periodUs: 100000 });
  assert.equal(parseCpuMax(t('cpu-max-none')), { quotaUs: null, periodUs: 100000 });
  assert.is(parseCpuMax('garbage'), null);
  assert.equal(parseCfs('-1\n', '100000\n'), { quotaUs: null, periodUs: 100000 });
  assert.equal(parseCfs('50000', '100000'), { quotaUs: 50000, periodUs: 100000 });
});

test('arch families: compat mode is not emulation; cpuinfo fixtures name their family', () => {
  assert.is(archFamily('ia32'), archFamily('x86_64'));
  assert.is(archFamily('arm'), archFamily('aarch64'));
  assert.is(cpuinfoFamily(devFixture('kvm-amd-epyc-2vcpu', 'cpuinfo')), 'x86');
  assert.is(cpuinfoFamily(localFixture('arm64-cavium-thunderx-scaleway-2cpu', 'cpuinfo')), 'arm');
});

test('user-mode emulation: arm64 process on x86 CPUs (qemu-user keeps uname as the guest)', () => {
  const cpuinfo = devFixture('kvm-intel-xeon-2vcpu', 'cpuinfo');
  const e = detectEmulation({ processArch: 'arm64', addonArch: 'aarch64', kernelMachine: 'aarch64', cpuinfo, env: {} });
  assert.is(e.userModeEmulation, true);
  assert.match(e.evidence.join(';'), /\/proc\/cpuinfo describes \(x86\)/);
  const native = detectEmulation({
    processArch: 'x64',
    addonArch: 'x86_64',
    kernelMachine: 'x86_64',
    cpuinfo,
    env: {},
  });
  assert.is(native.userModeEmulation, false);
  assert.is(
    detectEmulation({ processArch: 'x64', addonArch: null, kernelMachine: 'aarch64', cpuinfo: null, env: {} })
      .userModeEmulation,
    true,
  );
});

test('FreeBSD Linuxulator: linprocfs /proc/version; Linux and gVisor strings are not', () => {
  assert.is(isFreebsdLinuxulator(t('linprocfs-version')), true);
  assert.is(isFreebsdLinuxulator(devFixture('kvm-amd-epyc-2vcpu', 'version')), false);
  assert.is(isFreebsdLinuxulator(null), false);
});

test('Android: env markers and ro.build.version.sdk', () => {
  assert.equal(detectAndroid({ ANDROID_ROOT: '/system' }, t('build-prop-api28')), {
    sdk: 28,
    evidence: ['ANDROID_ROOT=/system', '/system/build.prop exists (ro.build.version.sdk=28)'],
  });
  assert.is(detectAndroid({}, null), null);
  assert.equal(detectAndroid({ ANDROID_DATA: '/data' }, null)?.sdk, null);
});

test.run();
