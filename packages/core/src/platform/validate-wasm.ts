/** Whether the runtime's WebAssembly accepts `bytes` (typed here: the project's `lib` has no DOM types). */
export function validateWasm(bytes: Uint8Array): boolean {
  const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
    .WebAssembly;
  return wasm.validate(bytes);
}
