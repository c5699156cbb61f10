/**
 * The {@code wd-mm} command line: {@code doctor} (detected mode with evidence, every backend with
 * its availability, and the one that would be selected) as text or JSON. Not an API: the output
 * formats are documented in the README, the classes are internal.
 */
package dev.wdmm.cli;
