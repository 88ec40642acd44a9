// The five styles as SGR sequences (probe/render/style.ts), byte for byte as chalk printed them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeStyle } from '../../probe/render/style.js';

const E = '\x1b[';

test('level 0 leaves text alone', () => {
  const s = makeStyle(0);
  for (const f of [s.head, s.good, s.bad, s.warn, s.dim]) assert.is(f('a\nb'), 'a\nb');
});

test('each style opens and closes its own codes; empty text stays empty', () => {
  const s = makeStyle(1);
  assert.is(s.good('ok'), `${E}32mok${E}39m`);
  assert.is(s.bad('no'), `${E}31mno${E}39m`);
  assert.is(s.warn('hm'), `${E}33mhm${E}39m`);
  assert.is(s.dim('d'), `${E}2md${E}22m`);
  assert.is(s.head('H'), `${E}1m${E}36mH${E}39m${E}22m`);
  assert.is(s.head(''), '');
  assert.is(makeStyle(3).good('ok'), s.good('ok'));
});

test('an inner style that ends a shared code starts the outer one again', () => {
  const s = makeStyle(1);
  // dim's end (22) also ends bold: bold comes back after it; the colour (39) is untouched by dim.
  assert.is(s.head(`a ${s.dim('b')} c`), `${E}1m${E}36ma ${E}2mb${E}22m${E}1m c${E}39m${E}22m`);
  assert.is(s.bad(`x ${s.good('y')} z`), `${E}31mx ${E}32my${E}39m${E}31m z${E}39m`);
});

test('every line closes and opens on its own', () => {
  const s = makeStyle(1);
  assert.is(s.good('a\nb'), `${E}32ma${E}39m\n${E}32mb${E}39m`);
  assert.is(s.dim('a\r\nb'), `${E}2ma${E}22m\r\n${E}2mb${E}22m`);
});

test.run();
