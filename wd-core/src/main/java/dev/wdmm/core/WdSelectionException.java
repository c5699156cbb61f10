package dev.wdmm.core;

import static java.util.Objects.requireNonNull;

/**
 * No backend can be used: the configured one is unknown or unavailable, or none available
 * serves the detected mode. The message gives the reason and every candidate's verdict;
 * {@link #selection()} carries the whole decision for printing.
 */
public class WdSelectionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient Selection selection;

    /**
     * Creates the exception from a selection that selected nothing.
     *
     * @param selection the decision
     */
    public WdSelectionException(Selection selection) {
        super(message(requireNonNull(selection, "selection is null")));
        this.selection = selection;
    }

    /**
     * The decision that selected nothing.
     *
     * @return the selection
     */
    public Selection selection() {
        return selection;
    }

    private static String message(Selection selection) {
        StringBuilder text = new StringBuilder("no backend selected: ").append(selection.reason());
        for (Selection.Candidate c : selection.candidates()) {
            text.append("; ").append(c.name()).append(": ").append(c.verdict());
        }
        return text.toString();
    }
}
