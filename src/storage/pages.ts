/**
 * Memory pages of buffers the erasure layer's pools drop (their bytes are never read again):
 * handed back to the kernel at once instead of whenever the allocator would (ffi/aligned.ts).
 */
export { releasePages } from "../../ffi/aligned";
