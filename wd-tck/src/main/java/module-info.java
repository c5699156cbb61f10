/**
 * The wd-mm conformance kit: the contracts every backend keeps, as abstract JUnit 5 test classes
 * (with their jqwik properties inside) that a backend's tests extend, and the IOVA oracles the kit
 * checks every device address against. Depends on wd-api, JUnit Jupiter and jqwik only.
 *
 * <p>The module is open: the test engines call the contracts' package-private test methods
 * reflectively, also when a backend's tests run on the module path.
 */
open module dev.wdmm.tck {
    requires transitive dev.wdmm.api;
    requires transitive org.junit.jupiter.api;
    requires transitive net.jqwik.api;

    exports dev.wdmm.tck;
}
