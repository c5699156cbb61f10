/**
 * JDK Flight Recorder events of wd-mm's building blocks: chunks acquired and released, allocation
 * failures, pools exhausted, VFIO mappings, leaks reported. The event classes are internal; their
 * names (the constants of {@link dev.wdmm.memory.events.WdEvents}) are the public contract, for
 * {@code jdk.jfr.consumer.RecordingStream#onEvent(String, ...)} and {@code .jfc} settings.
 */
package dev.wdmm.memory.events;
