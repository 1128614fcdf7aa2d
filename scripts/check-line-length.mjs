#!/usr/bin/env node
/**
 * `npm run lint` (after Biome): no line over 120 characters in src, test, bench, examples and scripts. Biome's
 * formatter wraps code at 120 but cannot split a literal, so, as ESLint's max-len with ignoreStrings,
 * ignoreTemplateLiterals and ignoreRegExpLiterals, a line that holds a string, template or regular expression
 * literal may be longer (an expected wire body, a test name, the status page's CSS); comments and code may not.
 * Uses TypeScript's own scanner, so a literal spanning lines (a template) is known as one.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const limit = 120;
const roots = ['src', 'test', 'bench', 'examples', 'scripts'];
const literalKinds = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.RegularExpressionLiteral,
]);

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'golden') continue;
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mjs)$/.test(name)) yield path;
  }
}

/** The line numbers (0-based) that some literal token touches. */
function linesWithLiterals(text, path) {
  const lines = new Set();
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node) => {
    if (literalKinds.has(node.kind) || node.kind === ts.SyntaxKind.TemplateExpression) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      for (let line = start; line <= end; line++) lines.add(line);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return lines;
}

const problems = [];
for (const root of roots) {
  for (const path of sourceFiles(root)) {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    if (!lines.some((line) => line.length > limit)) continue;
    const literal = linesWithLiterals(text, path);
    lines.forEach((line, index) => {
      if (line.length > limit && !literal.has(index) && !/https?:\/\//.test(line)) {
        problems.push(`${relative('.', path)}:${index + 1}: ${line.length} characters (at most ${limit})`);
      }
    });
  }
}
for (const problem of problems) process.stderr.write(`${problem}\n`);
if (problems.length > 0) {
  process.stderr.write(`${problems.length} lines over ${limit} characters\n`);
  process.exit(1);
}
