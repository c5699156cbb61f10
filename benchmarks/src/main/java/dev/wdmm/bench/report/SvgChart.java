package dev.wdmm.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart of ns/op for one operation group, in plain SVG. The axis is logarithmic
 * because one group spans nanoseconds (pools) to tens of microseconds (allocateDirect, 1 MiB);
 * bars are coloured by {@link Kind}, one block of bars per operation.
 */
final class SvgChart {

    private static final int LABEL = 300;
    private static final int PLOT = 560;
    private static final int ROW = 16;
    private static final int HEADER = 22;

    private SvgChart() {}

    static String render(String group, List<Result> rows) {
        double min = rows.stream()
                .mapToDouble(Result::nsPerOp)
                .filter(v -> v > 0)
                .min()
                .orElse(1);
        double max = rows.stream().mapToDouble(Result::nsPerOp).max().orElse(10);
        double lo = Math.pow(10, Math.floor(Math.log10(Math.max(min, 1e-3))));
        double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(max, lo * 10))));
        List<String> body = new ArrayList<>();
        int y = 60;
        String operation = null;
        for (Result r : rows) {
            String op = r.variant() + ", " + r.threads() + (r.threads() == 1 ? " thread" : " threads");
            if (!op.equals(operation)) {
                operation = op;
                y += 6;
                body.add(text(8, y + 12, "font-weight=\"bold\"", op));
                y += HEADER;
            }
            double w = Math.max(1, PLOT * Math.log10(Math.max(r.nsPerOp(), lo) / lo) / Math.log10(hi / lo));
            body.add(text(LABEL - 6, y + 12, "text-anchor=\"end\"", r.impl()));
            body.add(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s ns/op</title></rect>",
                    LABEL,
                    y + 2,
                    w,
                    ROW - 4,
                    r.kind().color,
                    escape(r.impl()),
                    Markdown.num(r.nsPerOp())));
            body.add(text((int) (LABEL + w + 4), y + 12, "", Markdown.num(r.nsPerOp()) + " ns"));
            y += ROW;
        }
        int height = y + 30;
        int width = LABEL + PLOT + 90;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">\n",
                width,
                height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        svg.append(text(8, 18, "font-size=\"14\" font-weight=\"bold\"", group + " — ns/op, log scale, lower is better"))
                .append('\n');
        legend(svg);
        for (double g = lo; g <= hi * 1.0001; g *= 10) {
            double x = LABEL + PLOT * Math.log10(g / lo) / Math.log10(hi / lo);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"48\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%s\n",
                    x,
                    x,
                    y,
                    text((int) x, y + 14, "text-anchor=\"middle\" fill=\"#666\"", Markdown.num(g))));
        }
        body.forEach(line -> svg.append(line).append('\n'));
        return svg.append("</svg>\n").toString();
    }

    private static void legend(StringBuilder svg) {
        int x = 8;
        for (Kind k : Kind.values()) {
            svg.append(String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"30\" width=\"12\" height=\"12\" fill=\"%s\"/>",
                            x,
                            k.color))
                    .append(text(x + 16, 40, "", k.label))
                    .append('\n');
            x += 130;
        }
    }

    private static String text(int x, int y, String attributes, String content) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" %s>%s</text>", x, y, attributes, escape(content));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
