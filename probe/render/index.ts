// render: a full report in any of the output formats. One table of renderers, so the CLI's
// --format, `show` and the library's render() cannot drift apart.
import type { Report } from '../records.js';
import { UserError } from '../exit-codes.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderPrometheus } from './prometheus.js';
import { renderReportText } from './report-text.js';
import { makeStyle, type Style } from './style.js';
import { FORMATS, type Format } from './formats.js';

export { FORMATS, type Format };

const RENDERERS: Record<Format, (r: Report, s: Style) => string> = {
  text: renderReportText,
  json: (r) => renderJson(r),
  markdown: (r) => renderMarkdown(r),
  html: (r) => renderHtml(r),
  prometheus: (r) => renderPrometheus(r),
};

/** Renders `report` as `format`; `style` colours the text format only (default: no colour). */
export function render(report: Report, format: Format = 'text', style: Style = makeStyle(0)): string {
  const fn = RENDERERS[format];
  if (!fn) throw new UserError(`unknown format ${JSON.stringify(format)}; use one of ${FORMATS.join(', ')}`);
  return fn(report, style);
}
