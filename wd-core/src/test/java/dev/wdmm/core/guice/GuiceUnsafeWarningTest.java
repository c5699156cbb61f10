package dev.wdmm.core.guice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An application using {@link WdMmModule} on JDK 25 sees no {@code sun.misc.Unsafe} warning, with
 * nothing set on its command line: checked in a fresh JVM (the test JVM itself runs with the
 * property set by the build), with the same JVM asked for Guice's bytecode generation as the
 * control that shows the warning is real.
 */
class GuiceUnsafeWarningTest {
    private record Run(int code, String out, String err) {}

    private static Run probe(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), InjectorProbe.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process process = builder.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        return new Run(code, out, new String(err.join(), StandardCharsets.UTF_8));
    }

    @Test
    void anInjectorWithWdMmModulePrintsNoUnsafeWarningByDefault() throws Exception {
        Run run = probe();
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("injector ok"), run.out() + run.err());
        assertFalse(run.err().contains("sun.misc.Unsafe"), run.err());
    }

    @Test
    void anApplicationThatAsksForBytecodeGenerationKeepsItAndItsWarning() throws Exception {
        Run run = probe("-D" + WdMmModule.BYTECODE_GEN_OPTION + "=ENABLED");
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(
                run.err().contains("sun.misc.Unsafe"),
                "the control must show the warning the default avoids, else the other test proves nothing: "
                        + run.err());
    }
}
