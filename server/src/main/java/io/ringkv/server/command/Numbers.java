package io.ringkv.server.command;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Number parsing and formatting with Redis's rules (util.c string2ll, string2ld, ld2string):
 * integers are strict (no spaces, no '+', no leading zeros), floats reject NaN and spaces, and
 * INCRBYFLOAT results print without exponent or trailing zeros.
 */
public final class Numbers {

    private Numbers() {
    }

    /** Strict decimal 64-bit parse into {@code out[0]}; false if not exactly such a number. */
    public static boolean parseLong(byte[] s, long[] out) {
        int n = s.length;
        if (n == 0 || n > 20) {
            return false;
        }
        if (n == 1 && s[0] == '0') {
            out[0] = 0;
            return true;
        }
        int i = 0;
        boolean negative = false;
        if (s[0] == '-') {
            negative = true;
            i = 1;
            if (n == 1) {
                return false;
            }
        }
        if (s[i] < '1' || s[i] > '9') {
            return false;
        }
        // Accumulated negatively, as Long.parseLong does, so that Long.MIN_VALUE fits.
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multmin = limit / 10;
        long value = 0;
        for (; i < n; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9 || value < multmin) {
                return false;
            }
            value *= 10;
            if (value < limit + d) {
                return false;
            }
            value -= d;
        }
        if (!negative) {
            value = -value;
        }
        out[0] = value;
        return true;
    }

    /** Redis's float parse: finite or ±inf, no NaN, no surrounding spaces; null if invalid. */
    public static Double parseDouble(byte[] s) {
        if (s.length == 0 || s.length > 5000) {
            return null;
        }
        String text = new String(s, StandardCharsets.US_ASCII);
        if (Character.isWhitespace(text.charAt(0)) || Character.isWhitespace(text.charAt(text.length() - 1))) {
            return null;
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e')) {
                return null; // rejects "nan", hex floats, Java's 'd'/'f' suffixes
            }
        }
        try {
            double value = Double.parseDouble(text);
            return Double.isNaN(value) ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * How Redis prints an INCRBYFLOAT result: up to 17 significant digits, plain notation, no
     * trailing zeros ("10.5", "5000", "3.0e3" never).
     */
    public static String formatDouble(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e17) {
            return Long.toString((long) value);
        }
        BigDecimal decimal = new BigDecimal(value, new java.math.MathContext(17)).stripTrailingZeros();
        return decimal.toPlainString();
    }
}
