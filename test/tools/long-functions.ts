/**
 * Lists the functions in src/ and worker/ longer than a limit (default 60 lines), longest first:
 * `npx tsx test/tools/long-functions.ts [limit]`. A function that stays longer carries its reason
 * in a comment beginning "Long because" just above it; those are listed apart.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const limit = Number(process.argv[2] ?? 60);
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

const found: { where: string; lines: number; reasoned: boolean }[] = [];
for (const file of [...files('src'), ...files('worker')]) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const visit = (node: ts.Node, name: string) => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      const own = node.name && ts.isIdentifier(node.name) ? node.name.text : name;
      const comments = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
      const holder = ts.isVariableDeclaration(node.parent) ? node.parent.parent.parent : node;
      const outer = ts.getLeadingCommentRanges(text, holder.getFullStart()) ?? [];
      const reasoned = [...comments, ...outer].some((c) => text.slice(c.pos, c.end).includes('Long because'));
      if (lines > limit) found.push({ where: `${file}:${start + 1} ${own}`, lines, reasoned });
    }
    const next = ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) ? node.name.text : name;
    ts.forEachChild(node, (child) => visit(child, next));
  };
  visit(source, '(anonymous)');
}
found.sort((a, b) => b.lines - a.lines);
for (const f of found.filter((f) => !f.reasoned)) console.log(`${f.lines}\t${f.where}`);
const reasoned = found.filter((f) => f.reasoned);
if (reasoned.length) console.log(`\nwith a reason beside them:\n${reasoned.map((f) => `${f.lines}\t${f.where}`).join('\n')}`);
