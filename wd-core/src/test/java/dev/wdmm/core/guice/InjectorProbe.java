package dev.wdmm.core.guice;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.wdmm.core.Configuration;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.testproviders.FakeProvider;
import java.util.List;

/**
 * What an application does first, run in a fresh JVM by {@link GuiceUnsafeWarningTest}: creates an
 * injector with {@link WdMmModule} and provisions through one of its {@code @Provides} methods
 * (where Guice's bytecode generation would define a fast class). Prints {@code injector ok}.
 */
final class InjectorProbe {
    private InjectorProbe() {}

    public static void main(String[] args) {
        Injector injector = Guice.createInjector(new WdMmModule(Discovery.of(List.of(new FakeProvider.Alpha()))));
        injector.getInstance(Configuration.class);
        System.out.println("injector ok");
    }
}
