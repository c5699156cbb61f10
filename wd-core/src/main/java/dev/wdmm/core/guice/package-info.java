/**
 * Guice wiring: {@link dev.wdmm.core.guice.WdMmModule} binds the selected backend's bridge and
 * queue, with the providers (found outside the injector) in a {@code MapBinder} and overridable
 * defaults for detection and configuration.
 */
package dev.wdmm.core.guice;
