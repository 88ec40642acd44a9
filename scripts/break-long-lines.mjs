// The pass scripts/format.mjs runs before Prettier, which leaves a long string or comment as long as
// it is: any string literal, template or `//` comment on a line over MAX_COLUMNS is broken at a space
// (`'a b'` becomes `'a ' + 'b'`, in parentheses where an operator binds tighter than `+`), a
// comment after code moves above it, and a one-line `/** ... */` becomes a block. Literals that must
// stay one token (module specifiers, literal types, property names, tagged templates) are left alone.
import ts from 'typescript';

export const MAX_COLUMNS = 120;

const lineStarts = (text) => {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
};

// Parents under which `'a' + 'b'` means the same as `'ab'` without parentheses.
function needsParens(node) {
  const p = node.parent;
  if (ts.isCallExpression(p) || ts.isNewExpression(p)) return p.expression === node;
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    const K = ts.SyntaxKind;
    // Lower precedence than `+`, or `+` itself (string concatenation associates either way).
    const loose = [
      K.PlusToken,
      K.BarBarToken,
      K.AmpersandAmpersandToken,
      K.QuestionQuestionToken,
      K.EqualsToken,
      K.PlusEqualsToken,
      K.CommaToken,
      K.EqualsEqualsEqualsToken,
      K.ExclamationEqualsEqualsToken,
      K.EqualsEqualsToken,
      K.ExclamationEqualsToken,
    ];
    return !loose.includes(op);
  }
  return !(
    ts.isPropertyAssignment(p) ||
    ts.isVariableDeclaration(p) ||
    ts.isArrayLiteralExpression(p) ||
    ts.isReturnStatement(p) ||
    ts.isConditionalExpression(p) ||
    ts.isParenthesizedExpression(p) ||
    ts.isTemplateSpan(p) ||
    ts.isSpreadElement(p) ||
    ts.isArrowFunction(p) ||
    ts.isExpressionStatement(p) ||
    ts.isPropertyDeclaration(p) ||
    ts.isParameter(p) ||
    ts.isAsExpression(p) ||
    ts.isThrowStatement(p)
  );
}

// Strings that must stay one literal: module specifiers, literal types, property names, tagged templates, enums.
function splittable(node) {
  const p = node.parent;
  if (!p || ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isExternalModuleReference(p)) return false;
  if (ts.isLiteralTypeNode(p) || ts.isTaggedTemplateExpression(p) || ts.isEnumMember(p) || ts.isImportTypeNode(p)) {
    return false;
  }
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) && p.name === node) {
    return false;
  }
  if (ts.isElementAccessExpression(p) && p.argumentExpression === node) return false;
  if (ts.isExpressionStatement(p)) return false; // a directive such as 'use strict'
  if (ts.isCaseClause(p) || ts.isPropertySignature(p)) return false;
  return true;
}

// Offsets (in the file) where a literal part of a string or template may end: just after a space
// that is not itself escaped.
function splitPoints(text, node) {
  const parts = [];
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    parts.push([node.getStart() + 1, node.end - 1]);
  } else {
    parts.push([node.head.getStart() + 1, node.head.end - 2]);
  }
  const points = [];
  if (ts.isTemplateExpression(node)) {
    for (const s of node.templateSpans) {
      const lit = s.literal;
      parts.push([lit.getStart() + 1, ts.isTemplateTail(lit) ? lit.end - 1 : lit.end - 2]);
      // Between two substitutions, where no space offers itself (`${a}${b}`): just after the `}`.
      if (!(ts.isTemplateTail(lit) && lit.end - lit.getStart() === 2)) points.push(lit.getStart() + 1);
    }
  }
  for (const [a, b] of parts) {
    for (let i = a; i < b - 1; i++) {
      // After a space, never after an escaping backslash, never leaving a part empty.
      if (text[i] === ' ' && text[i - 1] !== '\\' && text[i + 1] !== ' ') points.push(i + 1);
    }
  }
  return [...new Set(points)].sort((a, b) => a - b);
}

function splitLiteral(text, node, indent, column, tail) {
  const start = node.getStart();
  const quote = text[start] === '`' ? '`' : text[start];
  // The first piece stays where the literal starts; the others go on lines of their own.
  const first = Math.max(20, MAX_COLUMNS - column - Math.min(tail, 40) - 3);
  const budget = Math.max(40, MAX_COLUMNS - indent - 8);
  const points = splitPoints(text, node);
  const cuts = [];
  let from = start;
  let last = null;
  for (const p of points) {
    if (p - from > (cuts.length ? budget : first) && last !== null) {
      cuts.push(last);
      from = last;
    }
    last = p;
  }
  if (node.end - from > (cuts.length ? budget : first) && last !== null && last !== from) cuts.push(last);
  if (!cuts.length) return null;
  let out = '';
  let at = start;
  for (const c of cuts) {
    out += text.slice(at, c) + quote + ' +\n' + quote;
    at = c;
  }
  out += text.slice(at, node.end);
  return needsParens(node) ? `(${out})` : out;
}

function wrapComment(line) {
  const m = /^(\s*)(\/\/ ?| \* ?|\* ?)(.*)$/.exec(line);
  if (!m) return null;
  const [, indent, mark, body] = m;
  const prefix = indent + (mark.startsWith('//') ? '// ' : mark.startsWith(' *') ? ' * ' : '* ');
  const words = body.split(' ');
  const lines = [];
  let cur = '';
  for (const w of words) {
    if (cur && prefix.length + cur.length + 1 + w.length > MAX_COLUMNS) {
      lines.push(prefix + cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  lines.push(prefix + cur);
  return lines.length > 1 ? lines.join('\n') : null;
}

// Every `//` comment range of the file (strings and templates that hold `//` are not comments).
function commentRanges(sf) {
  const text = sf.getFullText();
  const seen = new Map();
  const add = (rs) => rs?.forEach((r) => r.kind === ts.SyntaxKind.SingleLineCommentTrivia && seen.set(r.pos, r));
  const visit = (n) => {
    add(ts.getLeadingCommentRanges(text, n.pos));
    add(ts.getTrailingCommentRanges(text, n.end));
    n.forEachChild(visit);
  };
  visit(sf);
  add(ts.getLeadingCommentRanges(text, sf.endOfFileToken.pos));
  return [...seen.values()];
}

/** One pass over a TypeScript or JavaScript text: long literals split, long comment lines wrapped. */
export function breakLongLines(text, fileName) {
  const kind = /\.[mc]?js$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const starts = lineStarts(text);
  const lineOf = (pos) => sf.getLineAndCharacterOfPosition(pos).line;
  const long = new Set();
  starts.forEach((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] - 1 : text.length;
    if (end - s > MAX_COLUMNS) long.add(i);
  });
  if (!long.size) return text;
  const edits = [];
  const visit = (n) => {
    const literal = ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n);
    if (literal) {
      const l = lineOf(n.getStart());
      if (long.has(l) && l === lineOf(n.end) && splittable(n)) {
        const indent = /^\s*/.exec(text.slice(starts[l]))[0].length;
        const lineEnd = l + 1 < starts.length ? starts[l + 1] - 1 : text.length;
        const rep = splitLiteral(text, n, indent, n.getStart() - starts[l], lineEnd - n.end);
        if (rep) {
          edits.push([n.getStart(), n.end, rep]);
          return; // nothing nested in a literal is split on the same pass
        }
      }
    }
    n.forEachChild(visit);
  };
  visit(sf);
  for (const r of commentRanges(sf)) {
    const l = lineOf(r.pos);
    if (!long.has(l)) continue;
    const lineStart = starts[l];
    const before = text.slice(lineStart, r.pos);
    if (/^\s*$/.test(before)) {
      const wrapped = wrapComment(text.slice(lineStart, r.end));
      if (wrapped) edits.push([lineStart, r.end, wrapped]);
    } else if (!edits.some(([a, b]) => a < r.pos && b > lineStart)) {
      // A comment after code: on a line of its own above the code, so the code keeps its width.
      const indent = /^\s*/.exec(before)[0];
      const comment = indent + text.slice(r.pos, r.end);
      const moved = wrapComment(comment) ?? comment;
      edits.push([lineStart, r.end, `${moved}\n${before.replace(/\s+$/, '')}`]);
    }
  }
  // A one-line `/** ... */` that passes the limit becomes a block of ` * ` lines.
  for (const r of blockRanges(sf)) {
    const l = lineOf(r.pos);
    if (!long.has(l) || l !== lineOf(r.end)) continue;
    const before = text.slice(starts[l], r.pos);
    const m = /^\/\*(\*?)\s*(.*?)\s*\*\/$/.exec(text.slice(r.pos, r.end));
    if (!/^\s*$/.test(before) || !m) continue;
    const body = wrapComment(`${before} * ${m[2]}`) ?? `${before} * ${m[2]}`;
    edits.push([starts[l], r.end, `${before}/*${m[1]}\n${body}\n${before} */`]);
  }
  // Block comments (` * ` lines) that pass the limit.
  for (const l of long) {
    const s = starts[l];
    const e = l + 1 < starts.length ? starts[l + 1] - 1 : text.length;
    const line = text.slice(s, e);
    if (/^\s*\* /.test(line) && inBlockComment(sf, s) && !edits.some(([a, b]) => a < e && b > s)) {
      const wrapped = wrapComment(line);
      if (wrapped) edits.push([s, e, wrapped]);
    }
  }
  edits.sort((a, b) => b[0] - a[0]);
  let out = text;
  let floor = Infinity;
  for (const [a, b, rep] of edits) {
    if (b > floor) continue; // overlapping edits: the outer one waits for the next pass
    out = out.slice(0, a) + rep + out.slice(b);
    floor = a;
  }
  return out;
}

function blockRanges(sf) {
  const text = sf.getFullText();
  const seen = new Map();
  const visit = (n) => {
    for (const r of ts.getLeadingCommentRanges(text, n.pos) ?? []) {
      if (r.kind === ts.SyntaxKind.MultiLineCommentTrivia) seen.set(r.pos, r);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return [...seen.values()];
}

function inBlockComment(sf, pos) {
  const text = sf.getFullText();
  let found = false;
  const visit = (n) => {
    if (found || pos < n.pos || pos > n.end) return;
    for (const r of ts.getLeadingCommentRanges(text, n.pos) ?? []) {
      if (r.kind === ts.SyntaxKind.MultiLineCommentTrivia && r.pos <= pos && pos < r.end) found = true;
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return found;
}
