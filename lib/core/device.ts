/**
 * Where the kernels run: `device: 'cpu' | 'cuda' | 'auto'`. The CPU is the reference; the CUDA
 * twins match it within float tolerance. A binary built without CUDA, a machine without a driver
 * or a GPU, or an unsupported GPU make CUDA unavailable: `cudaInfo()` says why, 'auto' then
 * falls back to the CPU with a one-line reason, and 'cuda' throws CUDA_UNAVAILABLE.
 */
import { MedsynthError } from '../errors.js';
import { callNativeSync, nativeAddon } from '../native.js';
import { checkInteger, checkOneOf } from '../validate.js';

export type Device = 'cpu' | 'cuda';
export type DeviceOption = Device | 'auto';

export const DEVICE_OPTIONS: readonly DeviceOption[] = ['cpu', 'cuda', 'auto'];

export interface CudaDeviceInfo {
  index: number;
  name: string;
  /** e.g. '9.0' */
  computeCapability: string;
  multiprocessors: number;
  /** Bytes. */
  totalMemory: number;
  freeMemory: number;
}

export interface CudaInfo {
  /** The loaded binary contains the CUDA backend. */
  compiled: boolean;
  /** A usable device was found. */
  available: boolean;
  /** Why CUDA is unavailable (one line), when it is. */
  reason?: string;
  deviceCount: number;
  /** CUDA runtime and driver versions as 1000·major + 10·minor (0: none). */
  runtimeVersion: number;
  driverVersion: number;
  /** The device medsynth uses (the first visible one), when one was found. */
  device?: CudaDeviceInfo;
}

/** Where the time of one CUDA call went (ms); the CUDA kernels resolve with it. */
export interface CudaTiming {
  /** The kernels alone (CUDA events). */
  deviceMs: number;
  /** Staging the inputs to the device (host side). */
  uploadMs: number;
  /** Copying the results back after the kernels finished. */
  downloadMs: number;
  /** The whole call. */
  totalMs: number;
}

interface DeviceNative {
  cudaInfo(): CudaInfo;
  setCudaMemoryLimit(options: { bytes: number }): void;
  cudaMemoryUsage(): { inUse: number; limit: number };
  releaseCudaMemory(): void;
}

const native = () => nativeAddon<DeviceNative>();

/** What the loaded binary and this machine offer for CUDA. Never throws for a missing GPU. */
export function cudaInfo(): CudaInfo {
  return callNativeSync(() => native().cudaInfo());
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
 * For a kernel's `device` option (default 'cpu'): whether to call its CUDA twin (`cuda<Name>`,
 * same arguments) rather than the CPU binding. Throws as resolveDevice does.
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
  callNativeSync(() => native().setCudaMemoryLimit({ bytes: b }));
}

/** Device bytes medsynth's cached buffers hold, and the cap (0: none). */
export function cudaMemoryUsage(): { inUse: number; limit: number } {
  return native().cudaMemoryUsage();
}

/** Frees the cached device and pinned buffers (the next CUDA call allocates them again). */
export function releaseCudaMemory(): void {
  callNativeSync(() => native().releaseCudaMemory());
}
