// The reproducer's one summary line, as README "Found a kernel bug?" documents it; shared by the
// test that runs the reproducers here and the one that cross-builds them for arm64.

/** `<id>: defect shown in K of N attempts: reader missed A-B of C[-D] calls...` or `<id>: defect not shown in N ...` */
export const SUMMARY = new RegExp(
  '^(\\S+): defect (?:shown in (\\d+) of (\\d+) attempts?|not shown in (\\d+) attempts?): ' +
    'reader missed (\\d+)-(\\d+) of (\\d+)(?:-(\\d+))? calls',
);
