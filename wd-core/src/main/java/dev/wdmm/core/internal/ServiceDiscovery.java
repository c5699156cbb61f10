package dev.wdmm.core.internal;

import dev.wdmm.core.Discovery;
import dev.wdmm.spi.WdBackendProvider;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Runs {@link ServiceLoader} robustly: one broken provider is recorded and skipped. Stateless. */
final class ServiceDiscovery {
    /** Bound on consecutive loader errors, so a loader that keeps failing cannot loop forever. */
    private static final int MAX_ERRORS = 1000;

    private ServiceDiscovery() {}

    static Discovery run(ServiceLoader<WdBackendProvider> loader) {
        List<WdBackendProvider> providers = new ArrayList<>();
        List<Discovery.Broken> broken = new ArrayList<>();
        Iterator<ServiceLoader.Provider<WdBackendProvider>> it = loader.stream().iterator();
        int errors = 0;
        while (errors < MAX_ERRORS) {
            ServiceLoader.Provider<WdBackendProvider> next;
            try {
                if (!it.hasNext()) {
                    break;
                }
                next = it.next();
            } catch (ServiceConfigurationError e) {
                errors++;
                broken.add(new Discovery.Broken("?", "?", describe(e)));
                continue;
            }
            Class<?> type = next.type();
            try {
                providers.add(next.get());
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                broken.add(new Discovery.Broken(type.getName(), location(type), describe(e)));
            }
        }
        return build(providers, broken);
    }

    static Discovery build(List<? extends WdBackendProvider> providers, List<Discovery.Broken> broken) {
        List<Discovery.Broken> allBroken = new ArrayList<>(broken);
        Map<String, List<Discovery.Found>> byName = new TreeMap<>();
        for (WdBackendProvider provider : providers) {
            Class<?> type = provider.getClass();
            String name;
            try {
                name = provider.name();
                if (name == null || !name.matches("[a-z0-9-]+")) {
                    throw new IllegalStateException("name()=" + name + " must match [a-z0-9-]+");
                }
            } catch (RuntimeException | LinkageError e) {
                allBroken.add(new Discovery.Broken(type.getName(), location(type), "name() failed: " + describe(e)));
                continue;
            }
            byName.computeIfAbsent(name, k -> new ArrayList<>())
                    .add(new Discovery.Found(name, provider, location(type)));
        }
        List<Discovery.Found> unique = new ArrayList<>();
        List<Discovery.Duplicate> duplicates = new ArrayList<>();
        byName.forEach((name, found) -> {
            if (found.size() == 1) {
                unique.add(found.getFirst());
            } else {
                duplicates.add(new Discovery.Duplicate(name, found));
            }
        });
        return new Discovery(unique, allBroken, duplicates);
    }

    static String location(Class<?> type) {
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                return source.getLocation().toString();
            }
        } catch (RuntimeException e) {
            // fall through to the module name: a security manager or odd loader hid the code source
        }
        Module module = type.getModule();
        return module.isNamed() ? "module " + module.getName() : "unknown location";
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && text.length() < 1000; cause = cause.getCause()) {
            text.append("; caused by ").append(cause);
        }
        return text.toString();
    }
}
