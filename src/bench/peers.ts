import { jaxSystem, loadJax } from './jax';
import type { BenchSystem } from './systems';
import { loadTfjs, tfjsSystem } from './tfjs';
import type { BenchOptions } from './runner';

/**
 * Loads the peer engines the harness compares against: TF.js (WebGPU and CPU backends)
 * and jax-js (WebGPU). A peer that cannot start here is left out, with the reason kept
 * for the report, rather than failing the whole run.
 */
export async function loadPeers(which: { tfjs?: boolean; jax?: boolean } = { tfjs: true, jax: true }): Promise<Pick<BenchOptions, 'peers' | 'peerErrors'>> {
  const peers: BenchSystem[] = [];
  const peerErrors: NonNullable<BenchOptions['peerErrors']> = {};
  if (which.tfjs) {
    try {
      const tf = await loadTfjs();
      peers.push(tfjsSystem(tf, 'webgpu'), tfjsSystem(tf, 'cpu'));
    } catch (e) {
      peerErrors.tfjsWebgpu = peerErrors.tfjsCpu = `not run: ${(e as Error).message}`;
    }
  }
  if (which.jax) {
    try {
      peers.push(jaxSystem(await loadJax()));
    } catch (e) {
      peerErrors.jax = `not run: ${(e as Error).message}`;
    }
  }
  return { peers, peerErrors };
}
