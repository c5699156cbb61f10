/**
 * The wd-mm core for applications: {@link dev.wdmm.core.WdMm} (the facade without Guice),
 * {@link dev.wdmm.core.Discovery} (providers found through {@link java.util.ServiceLoader}),
 * {@link dev.wdmm.core.ModeDetector} and {@link dev.wdmm.core.Detection} (IOMMU mode with
 * evidence), {@link dev.wdmm.core.ConfigSources} and {@link dev.wdmm.core.Configuration}
 * (precedence of the {@link dev.wdmm.core.WdMmProperties} keys), and
 * {@link dev.wdmm.core.Selection} (the decision, explaining itself as text; its records are the data).
 */
package dev.wdmm.core;
