// Pins the library's public API (probe/index.ts): removing or renaming an export breaks users,
// so it must be a deliberate change to this list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../../probe/index.js';

test('the library exports exactly the documented names', () => {
  assert.equal(Object.keys(api).sort(), [
    'CODES',
    'EXIT',
    'FORMATS',
    'SCHEMA_VERSION',
    'UserError',
    'analyse',
    'buildPlan',
    'buildReport',
    'check',
    'compareReports',
    'formatCpuList',
    'inspect',
    'inspectReport',
    'loadNative',
    'loadReport',
    'parseCpuList',
    'recommend',
    'redactReport',
    'render',
    'renderInspectText',
    'renderJson',
    'renderRunText',
    'runProbe',
  ]);
  assert.type(api.inspect, 'function');
  assert.is(api.EXIT.USAGE, 2);
});

test('inspectReport() is the object inspect --json prints', async () => {
  const r = await api.inspectReport();
  assert.is(r.schemaVersion, api.SCHEMA_VERSION);
  assert.is(r.kind, 'inspect');
  assert.type(r.system.cpus.online, 'number');
});

test.run();
