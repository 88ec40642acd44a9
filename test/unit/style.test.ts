import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { colorLevel } from '../../probe/render/style.js';

// Precedence (probe/render/style.ts): --color/--no-color, then FORCE_COLOR, then NO_COLOR, then TTY/TERM.

test('TTY vs not, with no environment', () => {
  assert.is(colorLevel(undefined, {}, true), 1);
  assert.is(colorLevel(undefined, {}, false), 0);
});

test('TERM=dumb disables colour on a TTY', () => {
  assert.is(colorLevel(undefined, { TERM: 'dumb' }, true), 0);
  assert.is(colorLevel(undefined, { TERM: 'xterm-256color' }, true), 1);
});

test('NO_COLOR: present and non-empty disables; empty does not', () => {
  assert.is(colorLevel(undefined, { NO_COLOR: '1' }, true), 0);
  assert.is(colorLevel(undefined, { NO_COLOR: 'anything' }, true), 0);
  assert.is(colorLevel(undefined, { NO_COLOR: '' }, true), 1);
});

test('FORCE_COLOR=0/1/2/3', () => {
  assert.is(colorLevel(undefined, { FORCE_COLOR: '0' }, true), 0);
  assert.is(colorLevel(undefined, { FORCE_COLOR: 'false' }, true), 0);
  assert.is(colorLevel(undefined, { FORCE_COLOR: '1' }, false), 1);
  assert.is(colorLevel(undefined, { FORCE_COLOR: '2' }, false), 2);
  assert.is(colorLevel(undefined, { FORCE_COLOR: '3' }, false), 3);
  assert.is(colorLevel(undefined, { FORCE_COLOR: 'true' }, false), 1);
  // Present but empty forces level 1, as chalk's own detection reads it.
  assert.is(colorLevel(undefined, { FORCE_COLOR: '' }, false), 1);
  // FORCE_COLOR beats TERM=dumb and NO_COLOR.
  assert.is(colorLevel(undefined, { FORCE_COLOR: '3', TERM: 'dumb' }, false), 3);
  assert.is(colorLevel(undefined, { FORCE_COLOR: '1', NO_COLOR: '1' }, true), 1);
});

test('--no-color wins over everything', () => {
  assert.is(colorLevel(false, {}, true), 0);
  assert.is(colorLevel(false, { FORCE_COLOR: '3' }, true), 0);
});

test('--color wins over NO_COLOR, FORCE_COLOR=0, no TTY and TERM=dumb', () => {
  assert.is(colorLevel(true, {}, false), 1);
  assert.is(colorLevel(true, { NO_COLOR: '1' }, true), 1);
  assert.is(colorLevel(true, { FORCE_COLOR: '0' }, true), 1);
  assert.is(colorLevel(true, { TERM: 'dumb' }, false), 1);
  // ... and keeps a higher level FORCE_COLOR asks for.
  assert.is(colorLevel(true, { FORCE_COLOR: '3' }, false), 3);
  assert.is(colorLevel(true, { FORCE_COLOR: '2' }, false), 2);
});

test.run();
