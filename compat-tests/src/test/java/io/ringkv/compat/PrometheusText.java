package io.ringkv.compat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus's text format 0.0.4, written from the format's description and
 * independent of the server's code, for tests that scrape a node: it refuses anything a
 * Prometheus server would refuse or that the format discourages, so a test that parses a
 * scrape has checked every line of it.
 *
 * <p>Checked: every line ends in '\n'; a family is declared by one HELP line and then one TYPE
 * line ({@code counter} or {@code gauge}) before its samples, and its samples are contiguous;
 * every sample belongs to the family declared last; names and label names have the format's
 * characters; label values are quoted with only {@code \\}, {@code \"} and {@code \n} escapes;
 * values are floats; a label set appears once per family; no timestamps.
 */
final class PrometheusText {

    /** One family: its type, help text (escapes undone) and samples by printed label set ("" when none). */
    record Family(String type, String help, Map<String, Double> samples) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge)");
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
        "(" + NAME + ")(\\{(?:" + LABEL + ")(?:," + LABEL + ")*\\})? (NaN|[+-]Inf|[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)");

    private PrometheusText() {
    }

    /** Parses a whole exposition; throws {@link AssertionError} naming the first bad line. */
    static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition does not end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        String declared = null;
        String pendingHelp = null;
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            String where = "line " + lineNo + " '" + line + "': ";
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                if (families.containsKey(m.group(1)) || pendingHelp != null) {
                    throw new AssertionError(where + "HELP repeated or without its TYPE");
                }
                declared = m.group(1);
                pendingHelp = unescapeHelp(m.group(2));
            } else if ((m = TYPE.matcher(line)).matches()) {
                if (!m.group(1).equals(declared) || pendingHelp == null) {
                    throw new AssertionError(where + "TYPE not right after its family's HELP");
                }
                families.put(declared, new Family(m.group(2), pendingHelp, new LinkedHashMap<>()));
                pendingHelp = null;
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                if (!m.group(1).equals(declared) || pendingHelp != null) {
                    throw new AssertionError(where + "sample outside the family declared last (" + declared + ")");
                }
                String labels = m.group(2) == null ? "" : m.group(2);
                double value = switch (m.group(3)) {
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(m.group(3));
                };
                if (families.get(declared).samples().put(labels, value) != null) {
                    throw new AssertionError(where + "label set repeated");
                }
            } else {
                throw new AssertionError(where + "not a HELP, TYPE or sample line");
            }
        }
        if (pendingHelp != null) {
            throw new AssertionError("HELP of " + declared + " without a TYPE");
        }
        return families;
    }

    private static String unescapeHelp(String help) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            if (c == '\\' && i + 1 < help.length() && (help.charAt(i + 1) == '\\' || help.charAt(i + 1) == 'n')) {
                out.append(help.charAt(++i) == 'n' ? '\n' : '\\');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
