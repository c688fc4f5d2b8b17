// `npm run train -- --runtime node`: the training job (train_run.ts) in Node, on WebGPU
// through Dawn (npm webgpu), no browser. scripts/train.mjs builds this file for Node and
// runs it through tools/cli/job_runner.mjs.
import { serveNodeJob } from './node_job';
import { trainRun } from './train_run';

await serveNodeJob(trainRun);
