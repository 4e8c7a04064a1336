/**
 * liberasurecode instances cached per (backend, k, m): creating one builds the backend's coding
 * tables and dlopens it, and the erasure layer asks for a codec per object. Instances are
 * stateless between calls, so one per geometry serves every codec of that geometry.
 */
import { type BackendName, NativeCodec } from "../../ffi";

const cache = new Map<string, NativeCodec>();

export function nativeInstance(backend: BackendName, dataShards: number, parityShards: number): NativeCodec {
  const key = `${backend}/${dataShards}/${parityShards}`;
  let instance = cache.get(key);
  if (!instance) {
    instance = new NativeCodec({ backend, dataShards, parityShards });
    cache.set(key, instance);
  }
  return instance;
}

/** Destroys every cached instance (shutdown, tests). Codecs created later get fresh ones. */
export function releaseInstances(): void {
  for (const instance of cache.values()) instance.destroy();
  cache.clear();
}

export function cachedInstanceCount(): number {
  return cache.size;
}
