// A test that cannot run on this machine is declared skipped, not passed: uvu counts it under
// "Skipped" (which .ci/run reports as "N skipped"), and the reason is printed at load time, so the
// log says what was not checked here and why. Deciding at module level is what makes this
// possible: a test body that returns early is counted as passed.
import { test } from 'uvu';

/** Registers `fn` as test `name`, or, when `why` is a reason, as a skipped test that says it. */
export function testUnless(why: string | null, name: string, fn: () => unknown): void {
  if (why === null) {
    test(name, fn as () => void);
    return;
  }
  console.log(`  SKIP ${name}: ${why}`);
  test.skip(`${name} (skipped: ${why})`, fn as () => void);
}
