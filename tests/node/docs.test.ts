// The docs stay true to the code: the commands they name exist, their links resolve, their
// compiled examples type-check against src/, the command line's options are all documented,
// and the benchmark tables are what bench/results/ says.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the command line
import { DOC, problemsOf, readResults, renderTables, sectionOf, STALENESS } from '../../scripts/bench_tables.mjs';

const root = resolve(__dirname, '..', '..');
const docFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchors of a Markdown file's headings (lower case, punctuation dropped, spaces to hyphens, repeats numbered). */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

describe('the docs', () => {
  it('the README is the front door: at most 250 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
  });

  it('every `npm run X` they name is a script of package.json', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts);
    for (const file of docFiles) {
      const named = [...read(file).matchAll(/npm\s+run\s+([a-z][\w:-]*)/g)].map((m) => m[1]);
      const missing = [...new Set(named)].filter((n) => !scripts.includes(n));
      expect(missing, `${file} names npm scripts that package.json lacks`).toEqual([]);
    }
  });

  it('every relative link and image resolves, anchors included', () => {
    const broken: string[] = [];
    for (const file of docFiles) {
      const text = withoutCode(read(file));
      for (const [, target] of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // http:, https:, mailto:
        const [path, anchor] = target.split('#');
        const full = path ? resolve(root, dirname(file), decodeURIComponent(path)) : join(root, file);
        if (!existsSync(full)) {
          broken.push(`${file}: ${target} (no such file)`);
          continue;
        }
        if (anchor && full.endsWith('.md') && !anchorsOf(readFileSync(full, 'utf8')).has(anchor)) {
          broken.push(`${file}: ${target} (no heading '${anchor}' in ${relative(root, full)})`);
        }
        if (!anchor && path.endsWith('/') && !statSync(full).isDirectory()) broken.push(`${file}: ${target} (not a folder)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every code block marked <!-- compile --> type-checks against src/', () => {
    const blocks: { name: string; code: string }[] = [];
    for (const file of docFiles) {
      const text = read(file);
      const markers = text.split('<!-- compile -->').length - 1;
      const found = [...text.matchAll(/<!-- compile -->\s*\n```(?:ts|typescript)\n([\s\S]*?)```/g)];
      expect(found.length, `${file}: every <!-- compile --> marker must be followed by a ts code block`).toBe(markers);
      found.forEach((m, i) => blocks.push({ name: join(root, `__docs_${file.replace(/\W/g, '_')}_${i}.ts`), code: m[1] }));
    }
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    // Examples are fragments of a program: they may leave a value unused.
    const options = { ...config!.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
    const host = ts.createCompilerHost(options);
    const virtual = new Map(blocks.map((b) => [b.name, b.code]));
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, language, ...rest) =>
      virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, language) : getSourceFile.call(host, name, language, ...rest);
    host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
    host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
    const program = ts.createProgram([...virtual.keys()], options, host);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && virtual.has(d.file.fileName))
      .map(
        (d) =>
          `${relative(root, d.file!.fileName)}:${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(errors).toEqual([]);
  });

  // Each command's --help is printed from its option table (tools/cli/options.mjs), so these are all its options.
  const commands = {
    train: 'train',
    transfer: 'transfer',
    search: 'search',
    tune: 'tune',
    bench: 'bench',
    'bench:tables': 'bench_tables',
    profile: 'profile',
    'check:torch': 'check_torch',
    'parity:sweep': 'parity_sweep',
    'plot:runs': 'plot_runs',
  };
  it.each(Object.entries(commands))('every option `npm run %s -- --help` lists is documented in docs/command-line.md', (command, script) => {
    expect(JSON.parse(read('package.json')).scripts[command]).toBe(`node scripts/${script}.mjs`);
    const help = execFileSync(process.execPath, [join(root, `scripts/${script}.mjs`), '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const options = [...new Set([...help.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]))];
    expect(options.length).toBeGreaterThan(command === 'train' ? 10 : 1);
    const doc = read('docs/command-line.md');
    const undocumented = options.filter((o) => !new RegExp(`\`--${o}(?![a-z-])[^\`]*\``).test(doc));
    expect(undocumented, `options of npm run ${command} missing from docs/command-line.md`).toEqual([]);
  });

  it('every stored benchmark result names its adapter, date and commit', () => {
    const results = readResults();
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(problemsOf(r), r.file).toEqual([]);
  });

  it('the benchmark tables are the ones npm run bench:tables makes from bench/results/', () => {
    // The staleness words change with every commit to src/; the command writes them, the test compares the rest.
    const normal = (text: string) => text.replace(STALENESS, '(staleness)');
    const made = renderTables(readResults(), () => 0).trim();
    const written = sectionOf(read(DOC));
    expect(written, `${DOC} lacks the bench-tables markers`).not.toBeNull();
    expect(normal(written!), 'run npm run bench:tables').toBe(normal(made));
  });
});
