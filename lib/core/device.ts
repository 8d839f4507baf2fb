/**
 * Where the kernels run: `device: 'cpu' | 'cuda' | 'auto'`. The CPU is the reference; the CUDA
 * twins match it within float tolerance. A binary built without CUDA, a machine without a driver
 * or a GPU, or an unsupported GPU make CUDA unavailable: `cudaInfo()` says why, 'auto' then
 * falls back to the CPU with a one-line reason, and 'cuda' throws CUDA_UNAVAILABLE.
 */
import { MedsynthError } from '../errors.js';
import { binding, type CudaInfo } from '../binding.js';
import { callNativeSync } from '../native.js';
import { checkInteger, checkOneOf } from '../validate.js';

export type Device = 'cpu' | 'cuda';
export type DeviceOption = Device | 'auto';

export const DEVICE_OPTIONS: readonly DeviceOption[] = ['cpu', 'cuda', 'auto'];

export type { CudaDeviceInfo, CudaInfo, CudaTiming } from '../binding.js';

/** What the loaded binary and this machine offer for CUDA. Never throws for a missing GPU. */
export function cudaInfo(): CudaInfo {
  return callNativeSync(() => binding().cudaInfo());
}

/**
 * Resolves a device option: 'cpu' → cpu; 'cuda' → cuda, or MedsynthError('CUDA_UNAVAILABLE')
 * with the reason; 'auto' → cuda when available, else cpu with `reason` (one line, for a log).
 */
export function resolveDevice(device: DeviceOption): { device: Device; reason?: string } {
  const d = checkOneOf('device', device, DEVICE_OPTIONS);
  if (d === 'cpu') return { device: 'cpu' };
  const info = cudaInfo();
  if (info.available) return { device: 'cuda' };
  if (d === 'cuda') {
    throw new MedsynthError('CUDA_UNAVAILABLE', `device 'cuda' was requested but CUDA is unavailable: ${info.reason}`);
  }
  return { device: 'cpu', reason: `CUDA unavailable (${info.reason}); using the CPU` };
}

/**
 * For a kernel's `device` option (default 'cpu'): whether to run its CUDA twin (the binding's
 * params `device: 'cuda'`) rather than the CPU kernel. Throws as resolveDevice does.
 */
export function useCuda(device: DeviceOption | undefined): boolean {
  return resolveDevice(device ?? 'cpu').device === 'cuda';
}

/**
 * Caps the device memory medsynth keeps for its buffers (bytes; undefined or 0: no cap). Calls
 * that would need more reject with OUT_OF_MEMORY instead of taking memory another program on the
 * same GPU needs; cached buffers above the cap are freed.
 */
export function setCudaMemoryLimit(bytes?: number): void {
  const b = bytes === undefined ? 0 : checkInteger('bytes', bytes, 0);
  callNativeSync(() => binding().setCudaMemoryLimit({ bytes: b }));
}

/** Device bytes medsynth's cached buffers hold, and the cap (0: none). */
export function cudaMemoryUsage(): { inUse: number; limit: number } {
  return binding().cudaMemoryUsage();
}

/** Frees the cached device and pinned buffers (the next CUDA call allocates them again). */
export function releaseCudaMemory(): void {
  callNativeSync(() => binding().releaseCudaMemory());
}
