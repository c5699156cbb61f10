package dev.wdmm.rig;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the rig needs, through java.lang.foreign. Every call captures errno into a
 * segment of its own and turns a failure into {@link RigException} naming the call, its arguments,
 * errno and strerror. Thread-safe: no shared mutable state.
 */
final class Posix {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_POPULATE = 0x8000;
    static final long MAP_FAILED = -1L;
    static final int MADV_DONTNEED = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;

    private static final MethodHandle OPEN = errnoHandle("open", FunctionDescriptor.of(INT, ADDR, INT));
    private static final MethodHandle CLOSE = errnoHandle("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle PREAD = errnoHandle("pread", FunctionDescriptor.of(LONG, INT, ADDR, LONG, LONG));
    private static final MethodHandle PWRITE =
            errnoHandle("pwrite", FunctionDescriptor.of(LONG, INT, ADDR, LONG, LONG));
    private static final MethodHandle MMAP =
            errnoHandle("mmap", FunctionDescriptor.of(ADDR, ADDR, LONG, INT, INT, INT, LONG));
    private static final MethodHandle MUNMAP = errnoHandle("munmap", FunctionDescriptor.of(INT, ADDR, LONG));
    private static final MethodHandle MLOCK = errnoHandle("mlock", FunctionDescriptor.of(INT, ADDR, LONG));
    private static final MethodHandle MADVISE = errnoHandle("madvise", FunctionDescriptor.of(INT, ADDR, LONG, INT));
    private static final MethodHandle IOCTL_PTR = variadic("ioctl", FunctionDescriptor.of(INT, INT, LONG, ADDR));
    private static final MethodHandle IOCTL_LONG = variadic("ioctl", FunctionDescriptor.of(INT, INT, LONG, LONG));
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDR, INT));

    private Posix() {}

    /** Opens {@code path} with {@code flags}; returns the file descriptor. */
    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC);
            if (fd < 0) {
                throw failure("open(" + path + ")", state);
            }
            return fd;
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Closes {@code fd}, ignoring errors (used on clean-up paths only). */
    static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Reads exactly {@code buffer.byteSize()} bytes at {@code offset} of {@code fd}. */
    static void pread(int fd, MemorySegment buffer, long offset) {
        transfer(PREAD, "pread", fd, buffer, offset);
    }

    /** Writes exactly {@code buffer.byteSize()} bytes at {@code offset} of {@code fd}. */
    static void pwrite(int fd, MemorySegment buffer, long offset) {
        transfer(PWRITE, "pwrite", fd, buffer, offset);
    }

    private static void transfer(MethodHandle handle, String name, int fd, MemorySegment buffer, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long done = (long) handle.invokeExact(state, fd, buffer, buffer.byteSize(), offset);
            if (done < 0) {
                throw failure(
                        name + "(fd=" + fd + " size=" + buffer.byteSize() + " offset=0x" + Long.toHexString(offset)
                                + ")",
                        state);
            }
            if (done != buffer.byteSize()) {
                throw new RigException(name + "(fd=" + fd + " offset=0x" + Long.toHexString(offset) + ") moved " + done
                        + " of " + buffer.byteSize() + " bytes");
            }
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Maps {@code size} bytes; returns the mapping as a segment of that size (unmanaged: see {@link #munmap}). */
    @SuppressWarnings("restricted")
    static MemorySegment mmap(long size, int prot, int flags, int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment at =
                    (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, size, prot, flags, fd, offset);
            if (at.address() == MAP_FAILED) {
                throw failure(
                        "mmap(size=" + size + " prot=" + prot + " flags=0x" + Integer.toHexString(flags) + " fd=" + fd
                                + " offset=0x" + Long.toHexString(offset) + ")",
                        state);
            }
            return at.reinterpret(size);
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Unmaps a segment returned by {@link #mmap}. */
    static void munmap(MemorySegment mapping) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            if ((int) MUNMAP.invokeExact(state, mapping, mapping.byteSize()) != 0) {
                throw failure("munmap(size=" + mapping.byteSize() + ")", state);
            }
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Locks {@code segment}'s pages in RAM. */
    static void mlock(MemorySegment segment) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            if ((int) MLOCK.invokeExact(state, segment, segment.byteSize()) != 0) {
                throw failure("mlock(size=" + segment.byteSize() + ")", state);
            }
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code madvise(segment, advice)} over the whole segment (page-aligned). */
    static void madvise(MemorySegment segment, int advice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            if ((int) MADVISE.invokeExact(state, segment, segment.byteSize(), advice) != 0) {
                throw failure("madvise(size=" + segment.byteSize() + ", advice=" + advice + ")", state);
            }
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code ioctl(fd, request, pointer)}; returns its non-negative result. */
    static int ioctl(int fd, long request, MemorySegment argument, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int result = (int) IOCTL_PTR.invokeExact(state, fd, request, argument);
            if (result < 0) {
                throw failure(what, state);
            }
            return result;
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code ioctl(fd, request, value)}; returns its non-negative result. */
    static int ioctl(int fd, long request, long value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int result = (int) IOCTL_LONG.invokeExact(state, fd, request, value);
            if (result < 0) {
                throw failure(what, state);
            }
            return result;
        } catch (RigException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static RigException failure(String call, MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        return new RigException(call + " failed: errno=" + errno + " (" + strerror(errno) + ")");
    }

    @SuppressWarnings("restricted")
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle errnoHandle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.captureCallState("errno"));
    }

    @SuppressWarnings("restricted")
    private static MethodHandle variadic(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(
                symbol(name), descriptor, Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    }

    @SuppressWarnings("restricted")
    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new AssertionError("libc has no " + name));
    }
}
