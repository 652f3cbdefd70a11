// The metagrad kernels (recurrent cells, GEMM, Gumbel noise and softmax, the PPO loss): one WebAssembly module (SIMD128), no runtime, no allocator.
// The host lays out every buffer in linear memory above heapBase() and passes byte addresses.
export { gemm, gemmBias } from './gemm';
export { gemmNT } from './gemm-nt';
export { rowSums, colSums, addRow, fillRowsWith, transpose, copy2d } from './matrix';
export { logAndSignForward, logAndSignBackward, lstmCellForward, lstmCellBackward, multiply } from './lstm';
export {
  gruGatesForward,
  gruResetHidden,
  gruCandidateForward,
  gruCandidateBackward,
  gruResetBackward,
  relu,
  reluBackward,
} from './gru';
export { uniforms, gumbelSoftmaxForward, gumbelSoftmaxBackward } from './gumbel';
export { fusedMultiplyAddProbe } from './math';

/** First byte the host may use. */
export function heapBase(): usize {
  return __heap_base;
}
export { ppoLossRows } from './ppo-loss';
