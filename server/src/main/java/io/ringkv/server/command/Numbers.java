package io.ringkv.server.command;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Number parsing and formatting with Redis's rules (util.c string2ll, string2ld, ld2string):
 * integers are strict (no spaces, no '+', no leading zeros), floats reject NaN and spaces, and
 * INCRBYFLOAT computes and prints as Redis's long double does.
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

    // ---- INCRBYFLOAT's long double ---------------------------------------------------------------
    //
    // Redis's INCRBYFLOAT parses both operands with strtold, adds them as C long doubles and prints
    // the sum with "%.17Lf" before stripping trailing zeros (util.c string2ld and ld2string in
    // LD_STR_HUMAN mode). On x86-64 a long double is the x87 80-bit extended format: a 64-bit
    // significand with an explicit leading bit, exponents down to -16382 (then subnormals) and up
    // to 16383. Java has no such type, and doing the sum in double is visibly wrong: "0.1" plus
    // "0.2" prints 0.30000000000000004 where Redis prints 0.3, and 10.6 minus 5 prints
    // 5.5999999999999996 where Redis prints 5.6. So the values are held as exact BigDecimals that
    // are always rounded to the nearest extended value (ties to even, as both glibc's strtold and
    // the FPU round), and printed from their exact value with 17 decimals rounded half to even,
    // as glibc's printf does. Infinities are kept apart since BigDecimal has none.

    /** Significand bits of the x87 extended format, leading bit included. */
    private static final int EXTENDED_PRECISION = 64;
    /** The smallest binary exponent of the significand's last bit: subnormals end at 2^-16445. */
    private static final int EXTENDED_MIN_LSB_EXPONENT = -16382 - (EXTENDED_PRECISION - 1);
    /** The largest exponent of the last bit of a finite value (below 2^16384). */
    private static final int EXTENDED_MAX_LSB_EXPONENT = 16383 - (EXTENDED_PRECISION - 1);
    private static final BigInteger SIGNIFICAND_MIN = BigInteger.ONE.shiftLeft(EXTENDED_PRECISION - 1);
    private static final BigInteger SIGNIFICAND_LIMIT = BigInteger.ONE.shiftLeft(EXTENDED_PRECISION);
    private static final double LOG2_10 = Math.log(10) / Math.log(2);
    /** string2ld copies into a MAX_LONG_DOUBLE_CHARS (5 KB) buffer and refuses what does not fit. */
    private static final int MAX_LONG_DOUBLE_CHARS = 5 * 1024;

    /** A long double as strtold produces it: a finite exact value, or an infinity (sign in infinity). */
    private record Extended(BigDecimal finite, int infinity) {
        static final Extended POSITIVE_INFINITY = new Extended(null, 1);
        static final Extended NEGATIVE_INFINITY = new Extended(null, -1);
    }

    /**
     * INCRBYFLOAT: {@code current} (null for a missing key) plus {@code increment}, as the text
     * Redis stores and answers. Throws Redis's errors: "value is not a valid float" if either is
     * not a long double string2ld accepts, "increment would produce NaN or Infinity" if the sum
     * (or an operand) is not finite.
     */
    public static String incrByFloat(byte[] current, byte[] increment) {
        Extended value = current == null ? new Extended(BigDecimal.ZERO, 0) : parseExtended(current);
        if (value == null) {
            throw new CommandError(Errors.NOT_FLOAT);
        }
        Extended delta = parseExtended(increment);
        if (delta == null) {
            throw new CommandError(Errors.NOT_FLOAT);
        }
        if (value.finite() == null || delta.finite() == null) {
            throw new CommandError(Errors.NAN_OR_INFINITY); // inf + x is inf, inf - inf is NaN
        }
        BigDecimal sum = roundToExtended(value.finite().add(delta.finite()));
        if (sum == null) {
            throw new CommandError(Errors.NAN_OR_INFINITY);
        }
        return formatLongDouble(sum);
    }

    /** ld2string(LD_STR_HUMAN): "%.17Lf", trailing zeros and a bare '.' removed, "-0" as "0". */
    static String formatLongDouble(BigDecimal exact) {
        String text = exact.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = text.length();
        while (text.charAt(end - 1) == '0') {
            end--;
        }
        if (text.charAt(end - 1) == '.') {
            end--;
        }
        text = text.substring(0, end);
        return text.equals("-0") ? "0" : text;
    }

    /**
     * string2ld: the whole string must be one strtold number (decimal or hex, with optional
     * exponent, or inf/infinity), no leading space, not NaN, and not out of range (overflow to
     * infinity or underflow to zero; a subnormal result is fine). Null if refused.
     */
    private static Extended parseExtended(byte[] s) {
        int n = s.length;
        if (n == 0 || n >= MAX_LONG_DOUBLE_CHARS) {
            return null;
        }
        int i = 0;
        boolean negative = false;
        if (s[0] == '+' || s[0] == '-') {
            negative = s[0] == '-';
            i = 1;
        }
        String rest = new String(s, i, n - i, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        if (rest.equals("inf") || rest.equals("infinity")) {
            return negative ? Extended.NEGATIVE_INFINITY : Extended.POSITIVE_INFINITY;
        }
        boolean hex = rest.length() > 2 && rest.startsWith("0x");
        int radix = hex ? 16 : 10;
        int p = hex ? 2 : 0;
        // Significand digits, with at most one '.', at least one digit.
        int digitCount = 0;
        int fractionDigits = 0;
        boolean dot = false;
        StringBuilder mantissa = new StringBuilder();
        for (; p < rest.length(); p++) {
            char c = rest.charAt(p);
            if (c == '.' && !dot) {
                dot = true;
            } else if (Character.digit(c, radix) >= 0 && c < 128) {
                mantissa.append(c);
                digitCount++;
                if (dot) {
                    fractionDigits++;
                }
            } else {
                break;
            }
        }
        if (digitCount == 0) {
            return null; // ".", "0x", "nan", "-", words: strtold stops short of the end
        }
        BigInteger digits = new BigInteger(mantissa.toString(), radix);
        long exponent = 0;
        if (p < rest.length()) {
            char marker = rest.charAt(p);
            if (marker != (hex ? 'p' : 'e')) {
                return null;
            }
            p++;
            boolean negativeExponent = false;
            if (p < rest.length() && (rest.charAt(p) == '+' || rest.charAt(p) == '-')) {
                negativeExponent = rest.charAt(p) == '-';
                p++;
            }
            if (p == rest.length()) {
                return null; // "1e", "1e+": strtold stops before the 'e'
            }
            for (; p < rest.length(); p++) {
                char c = rest.charAt(p);
                if (c < '0' || c > '9') {
                    return null;
                }
                exponent = Math.min(exponent * 10 + (c - '0'), 1_000_000_000L); // saturates: far out of range anyway
            }
            if (negativeExponent) {
                exponent = -exponent;
            }
        }
        if (digits.signum() == 0) {
            return new Extended(BigDecimal.ZERO, 0); // zero in any exponent is no underflow
        }
        BigDecimal exact;
        if (hex) {
            long binaryExponent = exponent - 4L * fractionDigits;
            long top = binaryExponent + digits.bitLength();
            if (top > EXTENDED_MAX_LSB_EXPONENT + EXTENDED_PRECISION + 1) {
                return null; // overflow: strtold answers HUGE_VAL with ERANGE
            }
            if (top < EXTENDED_MIN_LSB_EXPONENT - 2) {
                return null; // underflow to zero with ERANGE
            }
            exact = timesPowerOfTwo(new BigDecimal(digits), binaryExponent);
        } else {
            long scale = fractionDigits - exponent;
            long magnitude = digits.toString().length() - scale; // digits before the point
            if (magnitude > 4934) {
                return null; // above LDBL_MAX (1.19e4932)
            }
            if (magnitude < -4952) {
                return null; // below half the smallest subnormal (3.6e-4951): zero
            }
            exact = new BigDecimal(digits, (int) scale);
        }
        BigDecimal rounded = roundToExtended(exact);
        if (rounded == null || rounded.signum() == 0) {
            return null;
        }
        return new Extended(negative ? rounded.negate() : rounded, 0);
    }

    /**
     * The extended value nearest to {@code exact} (ties to even), exactly; null if it overflows
     * to infinity. Below the normal range the significand loses bits as x87 subnormals do.
     */
    private static BigDecimal roundToExtended(BigDecimal exact) {
        if (exact.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal magnitude = exact.abs();
        BigInteger unscaled = magnitude.unscaledValue();
        // log2(magnitude) within a couple of units; the loops below settle it exactly.
        long exponent = (long) Math.floor(unscaled.bitLength() - 1 - magnitude.scale() * LOG2_10)
            - (EXTENDED_PRECISION - 1);
        exponent = Math.max(exponent, EXTENDED_MIN_LSB_EXPONENT);
        BigDecimal scaled = timesPowerOfTwo(magnitude, -exponent);
        BigDecimal limit = new BigDecimal(SIGNIFICAND_LIMIT);
        BigDecimal min = new BigDecimal(SIGNIFICAND_MIN);
        while (scaled.compareTo(limit) >= 0) {
            exponent++;
            scaled = timesPowerOfTwo(magnitude, -exponent);
        }
        while (scaled.compareTo(min) < 0 && exponent > EXTENDED_MIN_LSB_EXPONENT) {
            exponent--;
            scaled = timesPowerOfTwo(magnitude, -exponent);
        }
        BigInteger significand = scaled.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        if (significand.equals(SIGNIFICAND_LIMIT)) {
            significand = SIGNIFICAND_MIN;
            exponent++;
        }
        if (exponent > EXTENDED_MAX_LSB_EXPONENT) {
            return null;
        }
        BigDecimal result = timesPowerOfTwo(new BigDecimal(significand), exponent);
        return exact.signum() < 0 ? result.negate() : result;
    }

    /** {@code value * 2^power}, exactly (a power of two has a finite decimal expansion). */
    private static BigDecimal timesPowerOfTwo(BigDecimal value, long power) {
        if (power >= 0) {
            return value.multiply(new BigDecimal(BigInteger.ONE.shiftLeft((int) power)));
        }
        // 2^-k = 5^k / 10^k
        int k = (int) -power;
        return new BigDecimal(value.unscaledValue().multiply(BigInteger.valueOf(5).pow(k)), value.scale() + k);
    }
}
