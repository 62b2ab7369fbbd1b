/**
 * Loading the hand-written WebAssembly kernels (src/laws/kernels/*.wat, built into *.wasm.ts by
 * scripts/build-kernels.mjs): each module is compiled once, lazily and synchronously, from the
 * base64 bytes committed beside its source; nothing here needs Node (the web app's worker uses it).
 * Where WebAssembly or its SIMD is missing, or compiling throws, a law's kernel hook gives null and
 * the fit runs the law's JavaScript prediction, with the same results to the last digits.
 */

let enabled = true;

/**
 * Use the WebAssembly kernels (the default) or not: tests compare the two paths, and a bench times
 * both. Objectives made while switched off keep the JavaScript path.
 */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

export function wasmKernelsEnabled(): boolean {
  return enabled;
}

/**
 * The part of the WebAssembly API the kernels use, typed here: the core is compiled without the DOM
 * library (which declares it), and reaches it through globalThis, where a host may also lack it.
 */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
}
/** A compiled module (opaque). */
export type WasmModule = object;

const compiled = new Map<string, WasmModule | null>();

/** A new instance of a compiled kernel module (throws as WebAssembly.Instance does). */
export function instantiate(module: WasmModule): WasmInstance {
  return new (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly.Instance(module, {});
}

/** The compiled module of a kernel, or null when kernels are off or cannot run here. */
export function wasmModule(name: string, base64: string): WasmModule | null {
  if (!enabled) return null;
  let module = compiled.get(name);
  if (module === undefined) {
    try {
      const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
      module = api ? new api.Module(decodeBase64(base64)) : null;
    } catch {
      // no SIMD (validation fails), or a host that forbids compiling: the JavaScript path
      module = null;
    }
    compiled.set(name, module);
  }
  return module;
}

/** Bytes from base64, with the global atob (Node ≥ 16 and browsers). */
function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
