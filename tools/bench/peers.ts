import { jaxSystem, loadJax } from './jax';
import type { BenchSystem } from './systems';
import { loadOrt, ortSystem } from './ort';
import { loadTfjs, tfjsSystem } from './tfjs';
import type { BenchOptions } from './runner';

/**
 * Loads the peer engines the harness compares against: TF.js (WebGPU and CPU backends),
 * jax-js (WebGPU) and ONNX Runtime Web (WebGPU). A peer that cannot start here is left out, with the reason kept
 * for the report, rather than failing the whole run.
 */
export async function loadPeers(
  which: { tfjs?: boolean; jax?: boolean; ort?: boolean } = { tfjs: true, jax: true, ort: true },
): Promise<Pick<BenchOptions, 'peers' | 'peerErrors'>> {
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
  if (which.ort) {
    try {
      peers.push(ortSystem(await loadOrt()));
    } catch (e) {
      peerErrors.ortWeb = `not run: ${(e as Error).message}`;
    }
  }
  return { peers, peerErrors };
}
