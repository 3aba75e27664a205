package io.ringkv.server.info;

import java.util.Locale;

/**
 * Builds INFO's text exactly as Redis lays it out (genRedisInfoString): each section starts with
 * {@code "# Title\r\n"}, each field is {@code "name:value\r\n"}, and sections after the first are
 * preceded by one blank line ({@code "\r\n"}). The whole text is sent as one bulk string.
 *
 * <p>Field values must not contain CR or LF (they would break the line format that every INFO
 * parser relies on); callers pass numbers or short identifiers.
 */
public final class InfoReport {

    private final StringBuilder text = new StringBuilder(2048);
    private int sections;

    /** Starts a section; the blank separator line is written only between sections. */
    public InfoReport section(String title) {
        if (sections++ > 0) {
            text.append("\r\n");
        }
        text.append("# ").append(title).append("\r\n");
        return this;
    }

    public InfoReport field(String name, String value) {
        text.append(name).append(':').append(value).append("\r\n");
        return this;
    }

    public InfoReport field(String name, long value) {
        text.append(name).append(':').append(value).append("\r\n");
        return this;
    }

    public String render() {
        return text.toString();
    }

    /**
     * Redis's bytesToHuman: plain bytes below 1024 ("512B"), then two decimals with a binary
     * unit suffix ("1.50K", "3.00M", ... up to "P"); past that, bytes again.
     */
    public static String bytesToHuman(long n) {
        if (n < 0) {
            // Redis prints the value as unsigned; our callers never pass negatives, but keep the
            // output well-formed if one ever does.
            return Long.toUnsignedString(n) + "B";
        }
        final String[] units = {"K", "M", "G", "T", "P"};
        if (n < 1024) {
            return n + "B";
        }
        double scale = 1024;
        for (String unit : units) {
            if (n < scale * 1024) {
                return String.format(Locale.ROOT, "%.2f%s", n / scale, unit);
            }
            scale *= 1024;
        }
        return n + "B";
    }

    /** Redis's CPU time format in INFO cpu: seconds with six decimals ("%ld.%06ld"). */
    public static String seconds(long nanos) {
        long micros = nanos / 1000;
        return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }
}
