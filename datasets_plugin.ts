import { createReadStream, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import type { Plugin } from 'vite';

/** Where the Debian dataset packages install (dataset-fashion-mnist -> fashion-mnist/). */
export const datasetsDir = process.env.DATASETS_DIR ?? '/usr/share/datasets';

/**
 * Serves the installed datasets read-only under /datasets/ (for example
 * /datasets/fashion-mnist/train-images-idx3-ubyte.gz), so pages and browser tests
 * fetch real data from the dev server. Paths outside the folder are refused.
 */
export function datasetsPlugin(): Plugin {
  return {
    name: 'datasets',
    configureServer(server) {
      server.middlewares.use('/datasets', (req, res) => {
        const rel = decodeURIComponent((req.url ?? '/').split('?')[0]);
        const file = normalize(join(datasetsDir, rel));
        if (!file.startsWith(datasetsDir + sep)) {
          res.statusCode = 403;
          res.end(`refused: ${rel}`);
          return;
        }
        let size: number;
        try {
          const st = statSync(file);
          if (!st.isFile()) throw new Error('not a file');
          size = st.size;
        } catch {
          res.statusCode = 404;
          res.end(`no such dataset file: ${file}`);
          return;
        }
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(size));
        createReadStream(file).pipe(res);
      });
    },
  };
}
