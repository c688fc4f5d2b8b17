// The package as an app installs it: `npm run build && npm pack`, the tarball installed by
// name into copies of examples/vite-app and examples/node; the Vite app type-checks
// (strict, erasableSyntaxOnly, verbatimModuleSyntax, skipLibCheck off), builds, and runs in
// headless Chromium (the page and its worker); the Node example runs on Dawn. A broken
// exports map, a missing dependency or a `?raw` left in the bundle turns this red.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { chromium } from 'playwright';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'engine-package-'));
let tarball = '';
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' }, stdio: ['ignore', 'pipe', 'pipe'] });

/** A copy of an example with the packed engine installed by name. */
function installedExample(name: string): string {
  const dir = join(work, name);
  cpSync(join(root, 'examples', name), dir, { recursive: true, filter: (src) => !src.includes('node_modules') && !src.endsWith('/dist') });
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-save', tarball, ...(name === 'node' ? ['webgpu@0.6.2'] : [])], dir);
  return dir;
}

beforeAll(() => {
  npm(['run', 'build'], root);
  const out = npm(['pack', '--pack-destination', work, '--json'], root);
  tarball = join(work, JSON.parse(out)[0].filename);
}, 240_000);

describe('the npm package', () => {
  it('ships dist and the README, not tests, demo or CI; no ?raw import is left', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/types/index.d.ts');
    expect(files).toContain('package/README.md');
    expect(files.filter((f) => /^package\/(tests|demo|\.ci|scripts|src|shaders)\//.test(f))).toEqual([]);
    for (const f of readdirSync(join(root, 'dist')).filter((n) => n.endsWith('.js')))
      expect(readFileSync(join(root, 'dist', f), 'utf8'), f).not.toMatch(/from\s+['"][^'"]*\?raw['"]/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(Object.keys(pkg.exports)).toEqual(['.', './cpu', './node', './package.json']);
  });

  it("the Node example runs on Dawn by package name and prints the eager example's numbers", () => {
    const dir = installedExample('node');
    const run = spawnSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('eager [18,36]');
    expect(run.stdout).toMatch(/predicted \[0,1,2,3\]/);
  }, 240_000);

  it('the Vite app type-checks, builds, and runs in Chromium: the page and its worker print the same numbers', async () => {
    const dir = installedExample('vite-app');
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const build = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', dir, '--logLevel', 'warn'], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const dist = join(dir, 'dist');
    expect(existsSync(join(dist, 'index.html'))).toBe(true);
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
    const server = createServer((req, res) => {
      const file = join(dist, (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').split('?')[0]);
      if (!file.startsWith(dist) || !existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const config = JSON.parse(readFileSync(join(root, 'chromium.config.json'), 'utf8'));
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? config.path, args: config.args });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const logged: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => logged.push(m.text()));
      await page.goto(`http://localhost:${port}/`);
      await page.waitForFunction(() => document.getElementById('eager')!.textContent !== '…', null, { timeout: 60_000 });
      expect(await page.textContent('#eager')).toBe('[18,36]');
      await page.waitForFunction(() => document.getElementById('worker')!.textContent!.startsWith('done'), null, { timeout: 150_000 });
      expect(await page.textContent('#worker')).toMatch(/^done losses \[.*\] predicted \[0,1,2,3\]$/);
      // The worker ran the eager example first: the same numbers as the page (and as Node).
      expect(logged).toContain('worker: eager [18,36]');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  }, 300_000);
});
