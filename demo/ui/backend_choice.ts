import { CpuBackend } from '../../src/backends/cpu/cpu_backend';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backends/webgpu/webgpu_backend';

/** What to tell a visitor whose browser has no usable WebGPU. */
export const WEBGPU_HELP =
  'WebGPU is not available in this browser, so the pages run on the CPU reference backend (slow, same results). ' +
  'To enable WebGPU: use Chrome or Edge 113 or newer; on Linux open chrome://flags, enable "Unsafe WebGPU Support" ' +
  '(#enable-unsafe-webgpu) and "Vulkan" (#enable-vulkan), and restart; headless Chromium needs --enable-unsafe-webgpu ' +
  '(and --enable-unsafe-swiftshader without a GPU). The page must be served from https or http://localhost.';

let probe: Promise<WebGPUBackend | Error> | null = null;

/** The page's one WebGPU backend, or the reason there is none (asked once per page). */
export function webgpu(): Promise<WebGPUBackend | Error> {
  probe ??= createWebGPUBackend().catch((e: Error) => e);
  return probe;
}

/** The page element with this id (the pages' own markup has every id they ask for). */
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/**
 * The WebGPU backend for a page that cannot do without it (Bench, Verify): without
 * WebGPU, shows `WEBGPU_HELP` and why this page needs it in `warning`, then throws.
 */
export async function requireWebGPU(warning: HTMLElement, why: string): Promise<WebGPUBackend> {
  const gpu = await webgpu();
  if (!(gpu instanceof Error)) return gpu;
  warning.hidden = false;
  warning.textContent = `${WEBGPU_HELP} ${why} (${gpu.message})`;
  throw gpu;
}

/**
 * The backend the visitor picked. Without WebGPU, shows `WEBGPU_HELP` in `warning`,
 * disables the WebGPU choice and falls back to the CPU backend.
 */
export async function backendFor(choice: 'webgpu' | 'cpu', warning: HTMLElement, select?: HTMLSelectElement): Promise<WebGPUBackend | CpuBackend> {
  const gpu = await webgpu();
  if (gpu instanceof Error) {
    warning.hidden = false;
    warning.textContent = `${WEBGPU_HELP} (${gpu.message})`;
    if (select) {
      select.value = 'cpu';
      select.querySelector<HTMLOptionElement>('option[value=webgpu]')!.disabled = true;
    }
    return new CpuBackend();
  }
  return choice === 'cpu' ? new CpuBackend() : gpu;
}
