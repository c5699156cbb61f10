package dev.wdmm.rig;

import java.io.IOException;

/** The child process of {@link MigrationRound#fragment}: fragments, prints READY, holds until its stdin closes or it is killed. */
final class Fragmenter {
    private Fragmenter() {}

    /**
     * Runs the child.
     *
     * @param args the bytes to fragment
     * @throws IOException if stdin fails
     */
    public static void main(String[] args) throws IOException {
        MigrationRound.fragmentHere(Long.parseLong(args[0]));
        System.out.println("READY");
        System.out.flush();
        System.in.read();
    }
}
