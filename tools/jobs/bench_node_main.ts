// `npm run bench -- --runtime node`: the benchmark job (bench_job.ts) in Node on Dawn (npm
// webgpu), no browser. scripts/bench.mjs builds this file and runs it through tools/cli/job_runner.mjs.
import { benchJob } from './bench_job';
import { serveNodeJob } from './node_job';

await serveNodeJob(benchJob());
