package dev.wdmm.core;

import dev.wdmm.core.testproviders.FakeProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Builds real jars holding one test provider each, as a third party would ship them. */
final class ProviderJars {
    static final String SERVICES = "META-INF/services/dev.wdmm.spi.WdBackendProvider";

    private ProviderJars() {}

    /**
     * A loader over one jar per provider class ({@code 0.jar}, {@code 1.jar}, ...) in {@code dir},
     * with the fake classes hidden from the parent so that each loads from its jar.
     */
    static URLClassLoader loader(Path dir, Class<?>... providers) throws IOException {
        ClassLoader hiding = new ClassLoader(ProviderJars.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith(FakeProvider.class.getName() + "$")) {
                    throw new ClassNotFoundException(name + " is hidden so it loads from the test jars");
                }
                return super.loadClass(name, resolve);
            }
        };
        URL[] urls = new URL[providers.length];
        for (int i = 0; i < providers.length; i++) {
            urls[i] = jar(dir.resolve(i + ".jar"), providers[i]).toUri().toURL();
        }
        return new URLClassLoader(urls, hiding);
    }

    private static Path jar(Path jar, Class<?> provider) throws IOException {
        String entry = provider.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out);
                InputStream classBytes = ProviderJars.class.getClassLoader().getResourceAsStream(entry)) {
            jarOut.putNextEntry(new JarEntry(entry));
            classBytes.transferTo(jarOut);
            jarOut.closeEntry();
            jarOut.putNextEntry(new JarEntry(SERVICES));
            jarOut.write((provider.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        return jar;
    }
}
