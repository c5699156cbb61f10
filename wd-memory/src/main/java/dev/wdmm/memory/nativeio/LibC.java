package dev.wdmm.memory.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library calls wd-mm needs, as {@code static final} downcall handles. Every call that can
 * fail captures {@code errno} into a segment owned by the calling thread (see {@link #errnoSlot()}),
 * so concurrent calls never share one. Callers check every argument before calling here: these
 * methods pass their arguments straight to the kernel.
 */
final class LibC {
    /** {@code struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }} on 64-bit Linux. */
    static final StructLayout RLIMIT =
            MemoryLayout.structLayout(JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle MMAP = capturing(
            "mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = capturing("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MLOCK = capturing("mlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MUNLOCK =
            capturing("munlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE =
            capturing("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SYSCONF = capturing("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETRLIMIT =
            capturing("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SETRLIMIT =
            capturing("setrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle OPEN = capturing(
            "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PREAD =
            capturing("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle CLOSE = capturing("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** {@code int ioctl(int fd, unsigned long request, void *argp)}. */
    private static final MethodHandle IOCTL_POINTER = capturing(
            "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    /** {@code int ioctl(int fd, unsigned long request, unsigned long value)}. */
    private static final MethodHandle IOCTL_VALUE = capturing(
            "ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    /** {@code long syscall(long number, ...)} with three register arguments, for system calls libc does not wrap. */
    private static final MethodHandle SYSCALL3 = capturing(
            "syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    /** The same with four register arguments. */
    private static final MethodHandle SYSCALL4 = capturing(
            "syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    /** The same with six register arguments (mbind, get_mempolicy). */
    private static final MethodHandle SYSCALL6 = capturing(
            "syscall",
            FunctionDescriptor.of(
                    JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** One errno capture segment per thread; freed with the thread (automatic arena). */
    private static final ThreadLocal<MemorySegment> ERRNO_SLOT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private LibC() {}

    @SuppressWarnings("restricted")
    private static MethodHandle capturing(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    @SuppressWarnings("restricted")
    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("C library function " + name + " not found"));
    }

    /**
     * The calling thread's errno capture segment; read it with {@link #errno(MemorySegment)} right
     * after the call that filled it, before any other native call on this thread.
     */
    static MemorySegment errnoSlot() {
        return ERRNO_SLOT.get();
    }

    static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    static MemorySegment mmap(
            MemorySegment slot, MemorySegment addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(slot, addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall failed", t);
        }
    }

    static int munmap(MemorySegment slot, MemorySegment addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(slot, addr, length);
        } catch (Throwable t) {
            throw new AssertionError("munmap downcall failed", t);
        }
    }

    static int mlock(MemorySegment slot, MemorySegment addr, long length) {
        try {
            return (int) MLOCK.invokeExact(slot, addr, length);
        } catch (Throwable t) {
            throw new AssertionError("mlock downcall failed", t);
        }
    }

    static int munlock(MemorySegment slot, MemorySegment addr, long length) {
        try {
            return (int) MUNLOCK.invokeExact(slot, addr, length);
        } catch (Throwable t) {
            throw new AssertionError("munlock downcall failed", t);
        }
    }

    static int madvise(MemorySegment slot, MemorySegment addr, long length, int advice) {
        try {
            return (int) MADVISE.invokeExact(slot, addr, length, advice);
        } catch (Throwable t) {
            throw new AssertionError("madvise downcall failed", t);
        }
    }

    static long sysconf(MemorySegment slot, int name) {
        try {
            return (long) SYSCONF.invokeExact(slot, name);
        } catch (Throwable t) {
            throw new AssertionError("sysconf downcall failed", t);
        }
    }

    static int getrlimit(MemorySegment slot, int resource, MemorySegment rlimit) {
        try {
            return (int) GETRLIMIT.invokeExact(slot, resource, rlimit);
        } catch (Throwable t) {
            throw new AssertionError("getrlimit downcall failed", t);
        }
    }

    static int setrlimit(MemorySegment slot, int resource, MemorySegment rlimit) {
        try {
            return (int) SETRLIMIT.invokeExact(slot, resource, rlimit);
        } catch (Throwable t) {
            throw new AssertionError("setrlimit downcall failed", t);
        }
    }

    static int open(MemorySegment slot, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(slot, path, flags, mode);
        } catch (Throwable t) {
            throw new AssertionError("open downcall failed", t);
        }
    }

    static long pread(MemorySegment slot, int fd, MemorySegment buffer, long count, long offset) {
        try {
            return (long) PREAD.invokeExact(slot, fd, buffer, count, offset);
        } catch (Throwable t) {
            throw new AssertionError("pread downcall failed", t);
        }
    }

    static int close(MemorySegment slot, int fd) {
        try {
            return (int) CLOSE.invokeExact(slot, fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall failed", t);
        }
    }

    /** {@code ioctl(fd, request, argp)}: the raw result, -1 with errno in {@code slot} on failure. */
    static int ioctl(MemorySegment slot, int fd, long request, MemorySegment argp) {
        try {
            return (int) IOCTL_POINTER.invokeExact(slot, fd, request, argp);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /** {@code ioctl(fd, request, value)} with an integer argument: the raw result, -1 with errno on failure. */
    static int ioctl(MemorySegment slot, int fd, long request, long value) {
        try {
            return (int) IOCTL_VALUE.invokeExact(slot, fd, request, value);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
    }

    /** {@code syscall(number, a, b, c)}: the raw result, -1 with errno in {@code slot} on failure. */
    static long syscall(MemorySegment slot, long number, long a, long b, long c) {
        try {
            return (long) SYSCALL3.invokeExact(slot, number, a, b, c);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
    }

    /** {@code syscall(number, a, b, c, d)}: the raw result, -1 with errno in {@code slot} on failure. */
    static long syscall(MemorySegment slot, long number, long a, long b, long c, long d) {
        try {
            return (long) SYSCALL4.invokeExact(slot, number, a, b, c, d);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
    }

    /** {@code syscall(number, a, b, c, d, e, f)}: the raw result, -1 with errno in {@code slot} on failure. */
    static long syscall(MemorySegment slot, long number, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL6.invokeExact(slot, number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
    }

    /** The C library's text for an error number; never null. */
    @SuppressWarnings("restricted")
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            // strerror returns a NUL-terminated string; getString stops at the NUL
            return text.equals(MemorySegment.NULL)
                    ? "errno " + errno
                    : text.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw new AssertionError("strerror downcall failed", t);
        }
    }
}
