package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdNativeException;
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
 * The libc calls of the VFIO backend through java.lang.foreign. errno is captured per call into a
 * segment of that call's own arena; failures become {@link WdNativeException} naming the call, its
 * arguments, errno and strerror. Thread-safe.
 */
final class VfioNative {
    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENOMEM = 12;
    static final int EPERM = 1;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout INT = ValueLayout.JAVA_INT;
    private static final ValueLayout LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(INT, ADDR, INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle IOCTL_PTR =
            handle("ioctl", FunctionDescriptor.of(INT, INT, LONG, ADDR), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG =
            handle("ioctl", FunctionDescriptor.of(INT, INT, LONG, LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDR, INT));

    private VfioNative() {}

    static int open(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDWR | O_CLOEXEC);
            return fd >= 0 ? fd : fail("open", "open(" + path + ")", state);
        } catch (WdNativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ioctl(int fd, long request, MemorySegment argument, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int result = (int) IOCTL_PTR.invokeExact(state, fd, request, argument);
            return result >= 0 ? result : fail("ioctl", what, state);
        } catch (WdNativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ioctl(int fd, long request, long value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int result = (int) IOCTL_LONG.invokeExact(state, fd, request, value);
            return result >= 0 ? result : fail("ioctl", what, state);
        } catch (WdNativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int fail(String call, String what, MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        throw new WdNativeException(call, errno, what + " failed: errno=" + errno + " (" + strerror(errno) + ")");
    }

    @SuppressWarnings("restricted")
    private static String strerror(int errno) {
        try {
            return ((MemorySegment) STRERROR.invokeExact(errno))
                    .reinterpret(256)
                    .getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    @SuppressWarnings("restricted")
    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new AssertionError("libc has no " + name));
    }
}
