/** Test backends for discovery, selection and wiring tests. */
package dev.wdmm.core.testproviders;
