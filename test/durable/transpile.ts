/**
 * Child processes of the crash tests run plain JS. Instead of a full `tsc`
 * build (slow, and it fails on other people's work in progress), every
 * src/ and examples/ file is transpiled on its own into a private folder
 * under node_modules/.cache, so package imports resolve as usual.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Transpiles src/ and examples/ into a fresh folder; returns its path. */
export function transpileProject(name: string): string {
  const out = join(ROOT, 'node_modules', '.cache', `${name}-${process.pid}`);
  for (const file of [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'examples'))]) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  // The package's name and exports (pointing at the transpiled src/), so examples' `import … from 'agent-patterns'`
  // resolves as a self-reference to the same modules the child loads by path.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; exports: object };
  const exports = JSON.parse(JSON.stringify(pkg.exports).replaceAll('./dist/src/', './src/')) as object;
  writeFileSync(join(out, 'package.json'), JSON.stringify({ name: pkg.name, type: 'module', version: pkg.version, exports }));
  return out;
}
