/**
 * The native layer for backend authors, through {@code java.lang.foreign} (no JNI): page-level
 * memory calls of the C library ({@link dev.wdmm.memory.nativeio.NativeMemory}), the memory-lock
 * limit ({@link dev.wdmm.memory.nativeio.ResourceLimit}), virtual-to-physical translation through
 * {@code /proc/self/pagemap} ({@link dev.wdmm.memory.nativeio.Pagemap}), and the VFIO ioctls of a
 * type1 container ({@link dev.wdmm.memory.nativeio.Vfio}, with the usable IOVA ranges and
 * {@code dma_avail} read from the kernel as a {@link dev.wdmm.memory.nativeio.VfioIommuInfo}, and
 * the capability {@link dev.wdmm.memory.nativeio.VfioMappings} of bridges built on them).
 *
 * <p>Every argument is checked before a native call; failures are
 * {@link dev.wdmm.api.WdNativeException}s naming the call, its arguments, {@code errno},
 * {@code strerror} and the fix. Linux only (x86-64, AArch64). Needs
 * {@code --enable-native-access=dev.wdmm.memory} (module path) or {@code ALL-UNNAMED} (class path).
 */
package dev.wdmm.memory.nativeio;
