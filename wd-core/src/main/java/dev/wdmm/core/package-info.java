/**
 * Discovery, detection and selection of backends, and the facade for applications.
 */
package dev.wdmm.core;
