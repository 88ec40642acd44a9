// inspect's DMI view (probe/inspect/sandbox.ts) against this machine's own /sys/class/dmi/id,
// read here independently: the firmware's names when the tables exist, else null and a reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { readSandbox } from '../../probe/inspect/sandbox.js';

const read = (f: string): string | null => {
  try {
    return readFileSync(`/sys/class/dmi/id/${f}`, 'utf8').trim() || null;
  } catch {
    return null;
  }
};

test('sandbox.dmi holds the firmware names, or null with the reason', async () => {
  const s = await readSandbox();
  const vendor = read('sys_vendor'),
    product = read('product_name');
  if (vendor === null && product === null) {
    assert.is(s.dmi, null);
    assert.match(s.unknown.dmi ?? '', /^\/sys\/class\/dmi\/id\/sys_vendor: [A-Z]+ /);
  } else {
    assert.equal(s.dmi, { sysVendor: vendor, productName: product });
    assert.is(s.unknown.dmi, undefined);
  }
  assert.is('systeminformation' in s, false, 'no longer read');
});

test.run();
