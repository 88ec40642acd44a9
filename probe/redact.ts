// --redact: a report to attach to a public bug ticket without identifying the host. It keeps what
// a maintainer needs (CPU, kernel release and build, hypervisor, membarrier support, the evidence)
// and drops the hostname, container ids in cgroup paths, and local file paths.
import type { Report } from './records.js';

const REDACTED = 'redacted';
const LONG_HEX = /\b[0-9a-f]{12,}\b/gi;
const ABS_PATH = /(^|[\s=])\/[^\s]+/g;

export function redactReport(r: Report): Report {
  const out: Report = structuredClone(r);
  out.system.platform.hostname = REDACTED;
  const c = out.system.sandbox.container;
  if (c) c.evidence = c.evidence.map((e) => e.replace(LONG_HEX, '<id>'));
  out.system.sandbox.evidence = out.system.sandbox.evidence.map((e) => e.replace(LONG_HEX, '<id>'));
  if (out.system.native.path) out.system.native.path = out.system.native.path.replace(/^.*\//, '<path>/');
  out.commandLine = out.commandLine.map((a) => a.replace(ABS_PATH, '$1<path>'));
  return out;
}
