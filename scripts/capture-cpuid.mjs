#!/usr/bin/env node
// Prints this CPU's raw CPUID leaves (sub-leaf 0) in the `cpuid -r` line format, through the
// project's own addon: used to capture test fixtures from the machines we run on.
import { createRequire } from 'node:module';
const addon = createRequire(import.meta.url)('../build/Release/membarrier_probe.node');
const hex = (n) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const line = (leaf) => {
  const r = addon.cpuid(leaf, 0);
  if (r) console.log(`   ${hex(leaf)} 0x00: eax=${hex(r.eax)} ebx=${hex(r.ebx)} ecx=${hex(r.ecx)} edx=${hex(r.edx)}`);
  return r;
};
console.log('CPU:');
const range = (base) => {
  const top = line(base);
  for (let l = base + 1; top && l <= top.eax >>> 0 && l < base + 0x100; l++) line(l);
};
range(0);
const hv = addon.cpuid(1, 0);
if (hv && (hv.ecx >>> 31) & 1) for (let b = 0x40000000; b < 0x40000200; b += 0x100) range(b);
range(0x80000000);
